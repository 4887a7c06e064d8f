/**
 * In-Lambda step-up (S65, RFC 9470): a protected Lambda that needs a second factor (and maybe a recent sign-in) for
 * one action asks for it here. Unlike the authorizer's `403`, this answers `401` with a challenge a client can act on
 * (sign in again with MFA), because inside the Lambda the requirement may depend on the request itself.
 */
import { getAuthContext, type AuthContext, type EventWithAuthorizer } from './auth-context.js';
import { AuthError } from '../domain/errors.js';
import { checkStepUp } from './step-up.js';

export interface RequireMfaOptions {
  /** The sign-in must be at most this many seconds old. @default - any age */
  maxAuthAgeSeconds?: number;
  /** Epoch seconds; tests freeze it. @default the system clock */
  now?: () => number;
}

const systemNow = () => Math.floor(Date.now() / 1000);

/**
 * Returns the caller's identity when its session verified a second factor (and, with `maxAuthAgeSeconds`, signed in
 * recently enough); otherwise throws `AuthError('insufficient_user_authentication')`, which the HTTP chain turns into
 * `401` with `WWW-Authenticate: Bearer error="insufficient_user_authentication"` (plus RFC 9470's `max_age` when
 * recency was the problem, so the client knows what to ask the authorization server for).
 * @example
 * const ctx = requireMfa(req.event, { maxAuthAgeSeconds: 300 });
 */
export function requireMfa(event: EventWithAuthorizer, options: RequireMfaOptions = {}): AuthContext {
  const ctx = getAuthContext(event);
  const { maxAuthAgeSeconds } = options;
  const result = checkStepUp(ctx, { mfa: true, maxAuthAgeSeconds }, (options.now ?? systemNow)());
  if (result.ok) return ctx;
  const tooOld = result.reason === 'auth_too_old';
  const challenge =
    'Bearer error="insufficient_user_authentication"' + (tooOld ? `, max_age="${maxAuthAgeSeconds}"` : '');
  throw new AuthError(
    'insufficient_user_authentication',
    tooOld ? 'Sign in again with your second factor to do this.' : 'This needs a sign-in with a second factor.',
    { headers: { 'WWW-Authenticate': challenge } },
  );
}

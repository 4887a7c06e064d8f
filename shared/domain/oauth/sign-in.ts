/**
 * Social sign-in use-cases: `beginOAuth` (authorize) and `completeOAuthSignIn` (callback). The transaction
 * (state → PKCE verifier, nonce, redirectTo, provider, issuer) lives in the ephemeral store, keyed by the
 * hash of `state`, and is bound to the browser by a random value kept in a `__Host-` cookie.
 */
import { MfaChallengeError } from '../mfa/challenge.js';
import { createHash, randomBytes } from 'node:crypto';
import { AuthError, ConditionFailedError } from '../errors.js';
import { logger, securityEvent } from '../../observability/log.js';
import type { OAuthIdentity } from '../../ports/oauth-identity.js';
import type { OAuthTransactionStore } from '../../ports/oauth-transaction-store.js';
import type { UserStore } from '../../ports/user-store.js';
import { canonicalizeEmail } from '../email.js';
import { matchesBrowserBinding, newBrowserBinding } from '../browser-binding.js';
import { sha256Hex } from '../secrets.js';
import { nowSeconds } from '../../ports/clock.js';
import type { SessionTokens } from '../session.js';
import { completeSignIn, type SignInDeps, type SignInResult, type SignInSubject } from '../sign-in/complete-sign-in.js';
import {
  OAuthFlowError,
  type OAuthFailureCode,
  type OAuthProviderClient,
  type ProviderIdentity,
} from '../../ports/provider-client.js';
import { isAllowedRedirect } from '../redirect.js';

export interface OAuthDeps extends SignInDeps {
  users: UserStore;
  transactions: OAuthTransactionStore;
  /** The configured provider of that name, or undefined. */
  provider(name: string): OAuthProviderClient | undefined;
  /** Our callback URL for a provider (registered with it as the redirect URI). */
  callbackUrl(name: string): string;
  allowedRedirectOrigins: readonly string[];
  transactionTtlSeconds: number;
  /**
   * True for a failure of a dependency that may pass (throttling, a timeout, a 5xx): the browser goes back to the
   * app with `error=temporarily_unavailable` (RFC 6749 §4.1.2.1), so it can offer to try again, instead of
   * `server_error`. Nothing was half-written: the transaction is spent and a new sign-in starts from the app.
   */
  isUnavailable?: (error: unknown) => boolean;
}

/** 256 random bits, base64url (43 characters: also a valid PKCE verifier, RFC 7636 §4.1). */
const random = () => randomBytes(32).toString('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

export interface BeginResult {
  /** The provider's authorization URL (carries the S256 challenge, never the verifier: S35). */
  location: string;
  /** The raw browser-binding value for the `__Host-` cookie; only its hash is stored. */
  binding: string;
}

/**
 * Starts authorization code + PKCE for `providerName`.
 * @throws AuthError `unknown_provider` (404) or `invalid_redirect` (400).
 */
export async function beginOAuth(
  deps: OAuthDeps,
  input: { provider: string; redirectTo: string | undefined },
): Promise<BeginResult> {
  const client = deps.provider(input.provider);
  if (!client) throw new AuthError('unknown_provider', 'No sign-in provider has this name.');
  if (!isAllowedRedirect(input.redirectTo, deps.allowedRedirectOrigins)) {
    throw new AuthError('invalid_redirect', 'redirectTo must be an absolute URL on an allowed origin.');
  }
  const state = random();
  const nonce = random();
  const codeVerifier = random();
  const binding = newBrowserBinding();
  let location: string;
  try {
    location = await client.authorizationUrl({
      state,
      nonce,
      codeChallenge: s256(codeVerifier),
      redirectUri: deps.callbackUrl(input.provider),
    });
  } catch (cause) {
    securityEvent('oauth_failure', { provider: input.provider, code: 'provider_error', stage: 'authorize' });
    throw new AuthError('service_unavailable', 'The sign-in provider cannot be reached; try again shortly.', { cause });
  }
  const now = nowSeconds(deps.clock);
  await deps.transactions.create({
    stateHash: sha256Hex(state),
    provider: input.provider,
    issuer: client.config.issuer,
    codeVerifier,
    nonce,
    redirectTo: input.redirectTo,
    bindingHash: binding.hash,
    createdAt: now,
    expiresAt: now + deps.transactionTtlSeconds,
  });
  return { location, binding: binding.value };
}

export type CallbackResult =
  | { ok: true; tokens: SessionTokens; redirectTo: string; userId: string }
  | { ok: false; code: OAuthFailureCode; redirectTo?: string }
  /** A second factor is due (S59): the handler sets the `__Host-mfa` cookie, never a URL parameter (S66). */
  | {
      ok: false;
      code: 'mfa_required' | 'mfa_enrollment_required';
      mfa: { mfaToken: string; expiresIn: number };
      redirectTo: string;
    };

/**
 * Finishes the flow. Every check that needs no provider happens first — the transaction is consumed exactly once
 * (one conditional delete), then the binding cookie, the provider and the issuer are compared — so a forged,
 * replayed or cross-browser callback is refused before any token request (S34). Never throws: every failure is a
 * `{ ok: false, code }` the handler turns into a redirect carrying `error=<code>` (or an error page).
 */
export async function completeOAuthSignIn(
  deps: OAuthDeps,
  input: { provider: string; params: URLSearchParams; bindingCookie: string | undefined },
): Promise<CallbackResult> {
  let redirectTo: string | undefined;
  const fail = (code: OAuthFailureCode, detail?: Record<string, string | undefined>): CallbackResult => {
    securityEvent('oauth_failure', { provider: input.provider.slice(0, 40), code, ...detail });
    return { ok: false, code, redirectTo };
  };
  try {
    const client = deps.provider(input.provider);
    if (!client) return fail('unknown_provider');
    const state = input.params.get('state');
    if (!state || state.length > 512) return fail('invalid_state', { reason: 'missing' });
    const tx = await deps.transactions.consume(sha256Hex(state), nowSeconds(deps.clock));
    if (!tx) return fail('invalid_state', { reason: 'unknown, used or expired' });
    redirectTo = tx.redirectTo;
    if (!matchesBrowserBinding(tx.bindingHash, input.bindingCookie)) {
      return fail('browser_mismatch');
    }
    if (tx.provider !== input.provider) return fail('invalid_state', { reason: 'other provider' });
    if (tx.issuer !== client.config.issuer) return fail('issuer_mismatch');

    const identity = await client.finish({
      params: input.params,
      expectedState: state,
      nonce: tx.nonce,
      codeVerifier: tx.codeVerifier,
      redirectUri: deps.callbackUrl(input.provider),
      notBefore: tx.createdAt,
    });
    const { tokens, user } = await signInWithIdentity(deps, input.provider, identity);
    securityEvent('oauth_success', { provider: input.provider, userId: user.id });
    return { ok: true, tokens, redirectTo: tx.redirectTo, userId: user.id };
  } catch (e) {
    if (e instanceof OAuthFlowError) return fail(e.code, { reason: e.message });
    if (e instanceof MfaChallengeError && redirectTo) {
      const { mfaToken, expiresIn } = e.challenge;
      return { ok: false, code: e.mfaCode, mfa: { mfaToken, expiresIn }, redirectTo };
    }
    // The funnel's refusal (S51) reaches the app as `error=account_disabled`, like every other coded failure.
    if (e instanceof AuthError && e.code === 'account_disabled') return fail('account_disabled');
    // Store or key-ring failures: the browser still goes back to the app, with a generic code; operators get the cause.
    logger.error('oauth callback failed', {
      cause: e instanceof Error ? { name: e.name, message: e.message.slice(0, 300) } : typeof e,
    });
    const code = deps.isUnavailable?.(e) ? 'temporarily_unavailable' : 'server_error';
    return fail(code, { reason: e instanceof Error ? e.name : 'unknown' });
  }
}

/**
 * The linking policy (S38), ending in the sign-in funnel. Identity is (issuer, subject): a known identity signs
 * into its user. A new identity needs a verified email, which is then a proof of the address: it links to the
 * account with that email, and when that account's address was unproven (someone registered a password for it)
 * the funnel makes the proof holder its only owner (S52: the pre-proof password is removed and every earlier
 * session ends) — never a merge in which the pre-registered password keeps working. Without any account it
 * creates one, with the identity, in one write.
 */
async function signInWithIdentity(
  deps: OAuthDeps,
  provider: string,
  asserted: ProviderIdentity,
): Promise<SignInResult> {
  const identity: OAuthIdentity = { issuer: asserted.issuer, subject: asserted.subject };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const subject = await subjectFor(deps, provider, asserted, identity);
      return await completeSignIn(deps, { ...subject, method: 'fed', proof: { emailVerified: true }, provider });
    } catch (e) {
      // A concurrent callback linked the identity or took the email: look again (once).
      if (!(e instanceof ConditionFailedError)) throw e;
    }
  }
  throw new OAuthFlowError('server_error', 'The account could not be created; try again.');
}

async function subjectFor(
  deps: OAuthDeps,
  provider: string,
  asserted: ProviderIdentity,
  identity: OAuthIdentity,
): Promise<SignInSubject> {
  const known = await deps.users.findByIdentity(identity);
  // A linked identity was linked on a verified email, so it still proves the account's address.
  if (known) return { account: known };
  if (!asserted.email || !asserted.emailVerified) {
    throw new OAuthFlowError('email_unverified', 'The provider did not assert a verified email.');
  }
  let email: string;
  try {
    email = canonicalizeEmail(asserted.email);
  } catch {
    throw new OAuthFlowError('email_unverified', 'The provider asserted an unusable email.');
  }
  const existing = await deps.users.findByEmail(email);
  if (!existing) return { newAccount: { email, identity } };
  // A disabled account is refused by the funnel; linking to it first would leave a half-done sign-in behind.
  if (existing.disabled) return { account: existing };
  await deps.users.linkIdentity(existing.id, identity);
  securityEvent('oauth_link', { provider, userId: existing.id });
  return { account: existing };
}

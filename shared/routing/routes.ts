/**
 * The route table: the one source of truth for both the CDK stack (API Gateway routes) and the local
 * runner, so the two cannot drift. `fn` names the folder under `functions/`.
 */
import type { StepUpRequirement } from '../authorizer/step-up.js';

export type FunctionName =
  | 'signup'
  | 'login'
  | 'refresh'
  | 'logout'
  | 'logout-all'
  | 'jwks'
  | 'openid-configuration'
  | 'me'
  | 'admin-get-user'
  | 'admin-set-roles'
  | 'admin-revoke-sessions'
  | 'admin-disable-user'
  | 'oauth-authorize'
  | 'oauth-callback'
  | 'magic-link'
  | 'magic-link-verify'
  | 'verify-email'
  | 'password-reset'
  | 'password-reset-confirm'
  | 'mfa-totp-enrol'
  | 'mfa-totp-confirm'
  | 'mfa-list'
  | 'mfa-remove'
  | 'mfa-recovery-codes'
  | 'mfa-verify'
  | 'admin-mfa-reset'
  | 'mfa-webauthn-options'
  | 'passkey-register-options'
  | 'passkey-register-verify'
  | 'passkey-authenticate-options'
  | 'passkey-authenticate-verify'
  | 'passkey-list'
  | 'passkey-remove'
  | 'admin-create-client'
  | 'admin-list-clients'
  | 'admin-rotate-client-secret'
  | 'admin-delete-client'
  | 'oauth-token'
  | 'api-key-create'
  | 'api-key-list'
  | 'api-key-revoke';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface RouteDefinition {
  method: HttpMethod;
  path: string;
  fn: FunctionName;
  /** Protected by the Lambda authorizer; `mfa` / `maxAuthAgeSeconds` are step-up (403 at the edge, S65). */
  auth?: StepUpRequirement & {
    /** The caller must hold at least one of these roles (403 otherwise). */
    roles?: string[];
    /** The caller's `scope` must contain every one of these. */
    scopes?: string[];
    /**
     * MFA_POLICY=required: an enrolment `mfaToken` may stand in for the Bearer token. The authorizer only checks its
     * shape (no I/O) and marks the request; the function redeems it. Our two enrolment routes only, never
     * ROUTE_POLICIES.
     */
    enrolmentToken?: boolean;
  };
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'POST', path: '/auth/signup', fn: 'signup' },
  { method: 'POST', path: '/auth/login', fn: 'login' },
  { method: 'POST', path: '/auth/refresh', fn: 'refresh' },
  { method: 'POST', path: '/auth/logout', fn: 'logout' },
  // Routed so that it answers 405 instead of 404 (S41: logout is never a GET side effect).
  { method: 'GET', path: '/auth/logout', fn: 'logout' },
  { method: 'POST', path: '/auth/logout-all', fn: 'logout-all', auth: {} },
  { method: 'GET', path: '/.well-known/jwks.json', fn: 'jwks' },
  { method: 'GET', path: '/.well-known/openid-configuration', fn: 'openid-configuration' },
  { method: 'GET', path: '/auth/me', fn: 'me', auth: { roles: ['user', 'admin'] } },
  // The admin API: the authorizer answers 403 to a valid token without the admin role.
  { method: 'GET', path: '/admin/users/{id}', fn: 'admin-get-user', auth: { roles: ['admin'] } },
  { method: 'PUT', path: '/admin/users/{id}/roles', fn: 'admin-set-roles', auth: { roles: ['admin'] } },
  {
    method: 'POST',
    path: '/admin/users/{id}/revoke-sessions',
    fn: 'admin-revoke-sessions',
    auth: { roles: ['admin'] },
  },
  { method: 'POST', path: '/admin/users/{id}/disable', fn: 'admin-disable-user', auth: { roles: ['admin'] } },
  { method: 'GET', path: '/auth/oauth/{provider}/authorize', fn: 'oauth-authorize' },
  { method: 'GET', path: '/auth/oauth/{provider}/callback', fn: 'oauth-callback' },
  // Email flows. The GET routes serve landing pages that never consume a link (S31).
  { method: 'POST', path: '/auth/magic-link', fn: 'magic-link' },
  { method: 'GET', path: '/auth/magic-link/verify', fn: 'magic-link-verify' },
  { method: 'POST', path: '/auth/magic-link/verify', fn: 'magic-link-verify' },
  { method: 'GET', path: '/auth/verify-email', fn: 'verify-email' },
  { method: 'POST', path: '/auth/verify-email', fn: 'verify-email' },
  { method: 'POST', path: '/auth/password-reset', fn: 'password-reset' },
  { method: 'GET', path: '/auth/password-reset/confirm', fn: 'password-reset-confirm' },
  { method: 'POST', path: '/auth/password-reset/confirm', fn: 'password-reset-confirm' },
  // Second factors. Verify is open: it is authenticated by its mfaToken, not a Bearer token.
  { method: 'POST', path: '/auth/mfa/totp', fn: 'mfa-totp-enrol', auth: { enrolmentToken: true } },
  { method: 'POST', path: '/auth/mfa/totp/verify', fn: 'mfa-totp-confirm', auth: { enrolmentToken: true } },
  { method: 'GET', path: '/auth/mfa', fn: 'mfa-list', auth: {} },
  { method: 'DELETE', path: '/auth/mfa/{factorId}', fn: 'mfa-remove', auth: {} },
  { method: 'POST', path: '/auth/mfa/recovery-codes', fn: 'mfa-recovery-codes', auth: {} },
  { method: 'POST', path: '/auth/mfa/verify', fn: 'mfa-verify' },
  { method: 'POST', path: '/auth/mfa/webauthn/options', fn: 'mfa-webauthn-options' },
  // Passkeys. Registering and managing need a session; signing in with one is open (the assertion is the proof).
  { method: 'POST', path: '/auth/passkeys/register/options', fn: 'passkey-register-options', auth: {} },
  { method: 'POST', path: '/auth/passkeys/register/verify', fn: 'passkey-register-verify', auth: {} },
  { method: 'POST', path: '/auth/passkeys/authenticate/options', fn: 'passkey-authenticate-options' },
  { method: 'POST', path: '/auth/passkeys/authenticate/verify', fn: 'passkey-authenticate-verify' },
  { method: 'GET', path: '/auth/passkeys', fn: 'passkey-list', auth: {} },
  { method: 'DELETE', path: '/auth/passkeys/{id}', fn: 'passkey-remove', auth: {} },
  { method: 'POST', path: '/admin/users/{id}/mfa/reset', fn: 'admin-mfa-reset', auth: { roles: ['admin'] } },
  // Machine identity: the admin API of clients, and the token endpoint (authenticated by client credentials).
  { method: 'POST', path: '/admin/clients', fn: 'admin-create-client', auth: { roles: ['admin'] } },
  { method: 'GET', path: '/admin/clients', fn: 'admin-list-clients', auth: { roles: ['admin'] } },
  {
    method: 'POST',
    path: '/admin/clients/{clientId}/secret',
    fn: 'admin-rotate-client-secret',
    auth: { roles: ['admin'] },
  },
  { method: 'DELETE', path: '/admin/clients/{clientId}', fn: 'admin-delete-client', auth: { roles: ['admin'] } },
  { method: 'POST', path: '/oauth2/token', fn: 'oauth-token' },
  // Personal API keys (S77): made with a session's access token (a key cannot make keys), shown once.
  { method: 'POST', path: '/auth/api-keys', fn: 'api-key-create', auth: {} },
  { method: 'GET', path: '/auth/api-keys', fn: 'api-key-list', auth: {} },
  { method: 'DELETE', path: '/auth/api-keys/{id}', fn: 'api-key-revoke', auth: {} },
];

/** API Gateway's route key, e.g. `GET /auth/me`. */
export const routeKey = (r: Pick<RouteDefinition, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** Authorization requirements of a route key, as the authorizer enforces them. */
export function routeRequirements(key: string | undefined): RouteDefinition['auth'] | undefined {
  return key === undefined ? undefined : REQUIREMENTS.get(key);
}

/** Route key → its `auth`, built once: the authorizer asks on every request. The first route of a key wins. */
const REQUIREMENTS = new Map<string, RouteDefinition['auth']>();
for (const r of ROUTES) if (!REQUIREMENTS.has(routeKey(r))) REQUIREMENTS.set(routeKey(r), r.auth);

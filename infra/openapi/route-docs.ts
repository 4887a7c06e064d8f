/**
 * What the OpenAPI description says about each route of `ROUTES`: summary, body schema (the very zod schema the
 * handler validates with) and the answers it can give. Keyed by route key; a test fails when a route of
 * `ROUTES` has no entry here, or an entry names no route.
 */
import type { ZodMiniType } from 'zod/mini';
import { setRolesSchema } from '../../functions/admin-set-roles/schema.js';
import type { ErrorCode } from '../../shared/domain/errors.js';
import { emailRequestSchema, redemptionSchema } from '../../shared/http/email-schemas.js';
import { credentialsSchema, refreshTokenBodySchema } from '../../shared/http/schemas.js';
import { CLIENT_ROUTE_DOCS } from './client-route-docs.js';
import { MFA_ROUTE_DOCS } from './mfa-route-docs.js';
import { PASSKEY_ROUTE_DOCS } from './passkey-route-docs.js';
import { API_KEY_ROUTE_DOCS } from './api-key-route-docs.js';

export type ResponseKind = 'tokens' | 'empty' | 'json' | 'html' | 'redirect' | 'gateway';

export interface RouteDoc {
  summary: string;
  description?: string;
  tags: string[];
  body?: ZodMiniType;
  /** Reads the refresh cookie. */
  refreshCookie?: boolean;
  success: { status: number; kind: ResponseKind; description: string; schema?: Record<string, unknown> };
  /** The error codes this route answers with (statuses from ERROR_STATUS). */
  errors: ErrorCode[];
  /** An `application/x-www-form-urlencoded` body (JSON Schema of its fields), for the OAuth token endpoint. */
  form?: Record<string, unknown>;
  /** Errors are RFC 6749 §5.2 `{error, error_description}` instead of `{error, message}`. */
  oauthErrors?: boolean;
}

const common: ErrorCode[] = ['invalid_json', 'payload_too_large', 'unsupported_media_type', 'internal_error'];
const user = {
  type: 'object',
  required: ['id', 'email', 'roles', 'emailVerified', 'disabled', 'createdAt'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string', format: 'email' },
    roles: { type: 'array', items: { type: 'string' } },
    emailVerified: { type: 'boolean' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /auth/signup': {
    summary: 'Create a password account and sign in',
    tags: ['password'],
    body: credentialsSchema,
    description: 'Limited per source IP (SIGNUP_MAX_PER_IP), before any hashing or mail.',
    success: {
      status: 201,
      kind: 'tokens',
      description: 'Signed in; the refresh token is in the cookie (or the body when asked)',
    },
    errors: ['invalid_request', 'email_taken', 'weak_password', 'too_many_attempts', ...common],
  },
  'POST /auth/login': {
    summary: 'Sign in with email and password',
    description: 'Unknown email and wrong password answer identically. Attempts are limited per account and per IP.',
    tags: ['password'],
    body: credentialsSchema,
    success: { status: 200, kind: 'tokens', description: 'Signed in: a new session (refresh-token family)' },
    errors: [
      'invalid_request',
      'invalid_credentials',
      'account_disabled',
      'mfa_required',
      'mfa_enrollment_required',
      'too_many_attempts',
      ...common,
    ],
  },
  'POST /auth/refresh': {
    summary: 'Rotate the refresh token and get a new access token',
    description:
      'The presented token dies. Presenting it again revokes the whole session (token_reused). The refresh cookie sent more than once (cookie tossing) is 401 invalid_token and every copy is cleared.',
    tags: ['session'],
    body: refreshTokenBodySchema,
    refreshCookie: true,
    success: { status: 200, kind: 'tokens', description: 'New access token and refresh token' },
    errors: ['invalid_token', 'token_reused', 'forbidden_origin', ...common],
  },
  'POST /auth/logout': {
    summary: "Revoke this session's refresh-token family and clear the cookie",
    tags: ['session'],
    body: refreshTokenBodySchema,
    refreshCookie: true,
    description:
      'The refresh cookie sent more than once (cookie tossing) is 401 invalid_token, every copy cleared, nothing revoked.',
    success: { status: 204, kind: 'empty', description: 'Signed out (also for an unknown token)' },
    errors: ['invalid_token', 'forbidden_origin', ...common],
  },
  'GET /auth/logout': {
    summary: 'Not allowed: logout is a POST',
    tags: ['session'],
    success: { status: 405, kind: 'json', description: 'Always method_not_allowed' },
    errors: ['method_not_allowed'],
  },
  'POST /auth/logout-all': {
    summary: 'Revoke every session of the caller',
    tags: ['session'],
    success: { status: 204, kind: 'empty', description: 'Every refresh-token family of the user is revoked' },
    errors: [...common],
  },
  'GET /.well-known/jwks.json': {
    summary: 'Public signing keys (current, next, previous)',
    tags: ['keys'],
    success: {
      status: 200,
      kind: 'json',
      description: 'A JWK Set with public members only',
      schema: {
        type: 'object',
        required: ['keys'],
        properties: { keys: { type: 'array', items: { type: 'object' } } },
      },
    },
    errors: ['service_unavailable'],
  },
  'GET /.well-known/openid-configuration': {
    summary: 'Issuer metadata',
    tags: ['keys'],
    success: {
      status: 200,
      kind: 'json',
      description: 'issuer, jwks_uri and the signing algorithms',
      schema: {
        type: 'object',
        required: ['issuer', 'jwks_uri'],
        properties: { issuer: { type: 'string' }, jwks_uri: { type: 'string' } },
      },
    },
    errors: [],
  },
  'GET /auth/me': {
    summary: 'The identity the authorizer passed (example protected route)',
    tags: ['session'],
    success: {
      status: 200,
      kind: 'json',
      description: 'The caller',
      schema: {
        type: 'object',
        required: ['sub', 'email', 'emailVerified', 'roles', 'amr'],
        properties: {
          sub: { type: 'string' },
          email: { type: 'string' },
          emailVerified: {
            type: 'boolean',
            description:
              'Whether the address was proven (by a link, a code or the provider); trust `email` only when true',
          },
          roles: { type: 'array', items: { type: 'string' } },
          amr: {
            type: 'array',
            items: { type: 'string' },
            description: 'How the session signed in (RFC 8176): pwd, otp, fed',
          },
        },
      },
    },
    errors: [],
  },
  'GET /auth/oauth/{provider}/authorize': {
    summary: 'Start social sign-in (authorization code + PKCE S256, state, nonce)',
    description: 'Query: redirectTo (an URL on an allowed origin). Sets the __Host-oauth_tx browser-binding cookie.',
    tags: ['social'],
    success: { status: 302, kind: 'redirect', description: "To the provider's authorization endpoint" },
    errors: ['invalid_redirect', 'unknown_provider'],
  },
  'GET /auth/oauth/{provider}/callback': {
    summary: 'Finish social sign-in: single-use state, code exchange, ID token validation, find/create/link the user',
    description:
      'Query: code, state (and iss when the provider sends it). Failures redirect to redirectTo with error=<code>.',
    tags: ['social'],
    success: {
      status: 302,
      kind: 'redirect',
      description: 'To redirectTo with the refresh cookie set; no token in the URL',
    },
    errors: [],
  },
  'POST /auth/magic-link': {
    summary: 'Mail a single-use sign-in link and code',
    description: 'The same 202 whether or not the address has an account. Throttled per address and per IP.',
    tags: ['email'],
    body: emailRequestSchema,
    success: { status: 202, kind: 'json', description: 'Accepted (identical for every address)' },
    errors: ['invalid_request', 'invalid_redirect', 'too_many_attempts', 'mail_unavailable', 'not_found', ...common],
  },
  'GET /auth/magic-link/verify': {
    summary: 'Landing page of a sign-in link (consumes nothing; mail scanners follow GETs)',
    description: 'Query: token. The page submits the token by POST, or asks first in another browser.',
    tags: ['email'],
    success: { status: 200, kind: 'html', description: 'A small HTML page with a strict CSP' },
    errors: ['not_found'],
  },
  'POST /auth/magic-link/verify': {
    summary: 'Consume a sign-in link ({token}) or code ({email, code}) exactly once and sign in',
    tags: ['email'],
    body: redemptionSchema,
    description:
      "Proves the address: an account whose address was unproven becomes the mailbox owner's alone (earlier sessions end, a password set before the proof is removed).",
    success: {
      status: 200,
      kind: 'tokens',
      description: 'Signed in (a new account for a new address unless MAGIC_LINK_SIGNUP=false)',
    },
    errors: ['invalid_request', 'invalid_token', 'account_disabled', 'not_found', ...common],
  },
  'GET /auth/verify-email': {
    summary: 'Landing page of an email-verification link (consumes nothing)',
    tags: ['email'],
    success: { status: 200, kind: 'html', description: 'A small HTML page with a strict CSP' },
    errors: [],
  },
  'POST /auth/verify-email': {
    summary: 'Confirm the address with the emailed token or code, once',
    tags: ['email'],
    body: redemptionSchema,
    success: {
      status: 200,
      kind: 'json',
      description: '{"emailVerified": true}',
      schema: { type: 'object', properties: { emailVerified: { const: true } } },
    },
    errors: ['invalid_request', 'invalid_token', ...common],
  },
  'POST /auth/password-reset': {
    summary: 'Mail a password-reset link and code',
    description: 'The same 202 whether or not the address has an account.',
    tags: ['email'],
    body: emailRequestSchema,
    success: { status: 202, kind: 'json', description: 'Accepted (identical for every address)' },
    errors: ['invalid_request', 'too_many_attempts', ...common],
  },
  'GET /auth/password-reset/confirm': {
    summary: 'Password-reset form page (consumes nothing)',
    tags: ['email'],
    success: { status: 200, kind: 'html', description: 'A small HTML form with a strict CSP' },
    errors: [],
  },
  'POST /auth/password-reset/confirm': {
    summary: 'Set a new password with the emailed token or code, once; every session ends',
    tags: ['email'],
    body: redemptionSchema,
    success: {
      status: 204,
      kind: 'empty',
      description: 'Password set, email verified, every refresh-token family revoked',
    },
    errors: ['invalid_request', 'invalid_token', 'weak_password', ...common],
  },
  'GET /admin/users/{id}': {
    summary: 'Read an account (role admin)',
    tags: ['admin'],
    success: { status: 200, kind: 'json', description: 'The account, never its password hash', schema: user },
    errors: ['invalid_request', 'not_found'],
  },
  'PUT /admin/users/{id}/roles': {
    summary: "Replace a user's roles (role admin); effective at their next refresh",
    tags: ['admin'],
    body: setRolesSchema,
    success: { status: 200, kind: 'json', description: 'The updated account', schema: user },
    errors: ['invalid_request', 'not_found', ...common],
  },
  'POST /admin/users/{id}/revoke-sessions': {
    summary: 'End every session of a user (role admin)',
    tags: ['admin'],
    success: { status: 204, kind: 'empty', description: 'Every refresh-token family of the user is revoked' },
    errors: ['invalid_request', 'not_found'],
  },
  'POST /admin/users/{id}/disable': {
    summary: 'Disable an account and end its sessions (role admin)',
    tags: ['admin'],
    success: { status: 204, kind: 'empty', description: 'The account can no longer sign in or refresh' },
    errors: ['invalid_request', 'not_found'],
  },
  ...MFA_ROUTE_DOCS,
  ...PASSKEY_ROUTE_DOCS,
  ...CLIENT_ROUTE_DOCS,
  ...API_KEY_ROUTE_DOCS,
};

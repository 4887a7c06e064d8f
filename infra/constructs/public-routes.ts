import type { AuthFunctionName } from '../function-specs.js';

/** Why a route of `ROUTES` without `auth` cannot be behind the authorizer (cdk-nag AwsSolutions-APIG4). */
export const PUBLIC_ROUTE_REASONS: Partial<Record<AuthFunctionName, string>> = {
  signup: 'it creates the account the caller will authenticate with, so the caller has no token yet',
  login: 'it is where a caller without a token authenticates (password); it is rate limited per account and IP',
  refresh:
    'it authenticates with the refresh token (cookie or body) that the function itself verifies, because the access token has expired',
  logout:
    'it authenticates with the refresh token it revokes (verified by the function, which also refuses foreign origins); the GET route exists only to answer 405',
  jwks: 'verifiers, including the authorizer itself, fetch the public keys anonymously (RFC 7517); it serves no secret',
  'openid-configuration': 'issuer metadata is public by design (RFC 8414) and contains no secret',
  'oauth-authorize':
    'it starts social sign-in for a caller who has no token yet; it only stores a short-lived transaction and redirects to an allowlisted provider',
  'oauth-callback':
    'the provider sends the browser back here without a token of ours; the function authenticates the callback itself (single-use state bound to the browser, PKCE, ID token validation)',
  'magic-link':
    'it is where a caller without a token asks for a sign-in link by email; it answers the same for every address and is throttled per address and IP',
  'magic-link-verify':
    'the caller authenticates with the single-use emailed link token or code that the function verifies; the GET page consumes nothing',
  'verify-email':
    'the caller proves control of the mailbox with the single-use emailed token or code that the function verifies',
  'password-reset':
    'a caller who lost the password has no token; it answers the same for every address and is throttled per address and IP',
  'password-reset-confirm':
    'the caller authenticates with the single-use emailed reset token or code that the function verifies',
  'mfa-verify':
    'the caller is between a first and a second factor, so has no access token; it authenticates with the single-use mfaToken the function verifies (5 attempts per token, 10 per account)',
  'mfa-webauthn-options':
    'the caller is between a first and a second factor, so has no access token; it authenticates with the mfaToken the function verifies (each call spends one of its attempts)',
  'passkey-authenticate-options':
    'it starts a passkey sign-in for a caller who has no token yet; it only stores a single-use 5-minute challenge and is throttled per IP',
  'passkey-authenticate-verify':
    'it is where a caller without a token authenticates with a passkey: the function verifies the WebAuthn assertion against a stored public key and a single-use challenge',
  'oauth-token':
    'the OAuth 2.0 token endpoint is where a machine client without a token authenticates (RFC 6749 §4.4); the function verifies its client secret or signed assertion and throttles per client',
};

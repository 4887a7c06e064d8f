/** OpenAPI entries of the passkey routes (and the passkey second-factor options), beside route-docs.ts. */
import type { ErrorCode } from '../../shared/domain/errors.js';
import {
  authenticateVerifySchema,
  emptySchema,
  mfaWebauthnOptionsSchema,
  registerVerifySchema,
} from '../../shared/http/passkeys.js';
import type { RouteDoc } from './route-docs.js';

const common: ErrorCode[] = ['invalid_json', 'payload_too_large', 'unsupported_media_type', 'internal_error'];
const options = (description: string) =>
  ({ status: 200, kind: 'json', description, schema: { type: 'object' } }) as const;

export const PASSKEY_ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /auth/passkeys/register/options': {
    summary: 'Creation options for a new passkey',
    description:
      "PublicKeyCredentialCreationOptionsJSON: rp {id, name}, user, challenge (single use, 5 minutes), pubKeyCredParams -7, -8, -257, residentKey required, userVerification required, attestation none, excludeCredentials (the caller's passkeys).",
    tags: ['passkeys'],
    success: options(
      'Creation options (pass to navigator.credentials.create or @simplewebauthn/browser startRegistration)',
    ),
    errors: common,
  },
  'POST /auth/passkeys/register/verify': {
    summary: 'Store a new passkey',
    description:
      'The RegistrationResponseJSON of the ceremony started by register/options. A response that does not verify answers 400 invalid_passkey.',
    tags: ['passkeys'],
    body: registerVerifySchema,
    success: {
      status: 201,
      kind: 'json',
      description: 'The stored passkey',
      schema: {
        type: 'object',
        required: ['id', 'name', 'createdAt'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    errors: ['invalid_request', 'invalid_passkey', 'passkey_exists', ...common],
  },
  'POST /auth/passkeys/authenticate/options': {
    summary: 'Request options for a usernameless passkey sign-in',
    description: 'allowCredentials is empty (discoverable credentials) and userVerification required. Limited per IP.',
    tags: ['passkeys'],
    body: emptySchema,
    success: options('Request options (pass to @simplewebauthn/browser startAuthentication)'),
    errors: ['too_many_attempts', ...common],
  },
  'POST /auth/passkeys/authenticate/verify': {
    summary: 'Sign in with a passkey',
    description:
      'The AuthenticationResponseJSON; the challenge is found from clientDataJSON and consumed. A user-verified passkey is multi-factor: amr has pop and mfa, never mfa_required. Every failure is one generic 401 invalid_passkey.',
    tags: ['passkeys'],
    body: authenticateVerifySchema,
    success: { status: 200, kind: 'tokens', description: 'Signed in; amr has pop and mfa' },
    errors: ['invalid_request', 'invalid_passkey', 'account_disabled', ...common],
  },
  'GET /auth/passkeys': {
    summary: "The caller's passkeys",
    tags: ['passkeys'],
    success: {
      status: 200,
      kind: 'json',
      description: 'The passkeys, oldest first',
      schema: {
        type: 'object',
        required: ['passkeys'],
        properties: {
          passkeys: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'name', 'createdAt', 'lastUsedAt', 'backedUp'],
              properties: {
                id: { type: 'string' },
                name: { type: 'string' },
                createdAt: { type: 'string', format: 'date-time' },
                lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
                backedUp: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
    errors: ['internal_error'],
  },
  'DELETE /auth/passkeys/{id}': {
    summary: 'Remove a passkey',
    description:
      'Removing the last factor (no other passkey, no authenticator app) needs a session whose multi-factor sign-in is at most MFA_RECENT_SECONDS old.',
    tags: ['passkeys'],
    success: { status: 204, kind: 'empty', description: 'Removed' },
    errors: ['invalid_request', 'reauthentication_required', 'not_found', 'internal_error'],
  },
  'POST /auth/mfa/webauthn/options': {
    summary: 'Request options for a passkey as second factor',
    description:
      'Takes the mfaToken of a 401 mfa_required; allowCredentials lists that user\'s passkeys. Counts as one of the token\'s attempts. Finish with POST /auth/mfa/verify {mfaToken, method: "webauthn", response}.',
    tags: ['mfa'],
    body: mfaWebauthnOptionsSchema,
    success: options('Request options bound to this mfaToken'),
    errors: ['invalid_request', 'invalid_token', ...common],
  },
};

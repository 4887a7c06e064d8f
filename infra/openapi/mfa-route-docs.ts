/** OpenAPI entries of the second-factor routes, kept beside the others' in route-docs.ts. */
import type { ErrorCode } from '../../shared/domain/errors.js';
import { mfaVerifySchema, totpConfirmSchema } from '../../shared/http/mfa.js';
import type { RouteDoc } from './route-docs.js';

const common: ErrorCode[] = ['invalid_json', 'payload_too_large', 'unsupported_media_type', 'internal_error'];
const codes = { type: 'array', items: { type: 'string' }, minItems: 10, maxItems: 10 };

export const MFA_ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /auth/mfa/totp': {
    summary: 'Start enrolling an authenticator app',
    description: 'The factor stays pending (and is not asked for at sign-in) until its first correct code.',
    tags: ['mfa'],
    success: {
      status: 201,
      kind: 'json',
      description: 'The base32 secret and otpauth:// URI, shown once',
      schema: {
        type: 'object',
        required: ['factorId', 'secret', 'otpauthUri'],
        properties: { factorId: { type: 'string' }, secret: { type: 'string' }, otpauthUri: { type: 'string' } },
      },
    },
    errors: ['reauthentication_required', 'too_many_attempts', ...common],
  },
  'POST /auth/mfa/totp/verify': {
    summary: 'Confirm an authenticator with its first code',
    description: 'Starts a new session whose amr has mfa, and returns 10 recovery codes (shown once).',
    tags: ['mfa'],
    body: totpConfirmSchema,
    success: { status: 200, kind: 'tokens', description: 'Token response plus recoveryCodes' },
    errors: ['invalid_request', 'invalid_code', 'too_many_attempts', ...common],
  },
  'GET /auth/mfa': {
    summary: "The caller's second factors",
    tags: ['mfa'],
    success: {
      status: 200,
      kind: 'json',
      description: 'Confirmed factors and the number of unused recovery codes',
      schema: {
        type: 'object',
        required: ['factors', 'recoveryCodesRemaining'],
        properties: {
          factors: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'type', 'createdAt', 'lastUsedAt'],
              properties: {
                id: { type: 'string' },
                type: { type: 'string', enum: ['totp', 'webauthn'] },
                createdAt: { type: 'string', format: 'date-time' },
                lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
              },
            },
          },
          recoveryCodesRemaining: { type: 'integer' },
        },
      },
    },
    errors: ['internal_error'],
  },
  'DELETE /auth/mfa/{factorId}': {
    summary: 'Remove a factor',
    description: 'Needs a session whose second factor is at most MFA_RECENT_SECONDS old.',
    tags: ['mfa'],
    success: { status: 204, kind: 'empty', description: 'Removed (with the recovery codes when no factor is left)' },
    errors: ['reauthentication_required', 'not_found', 'internal_error'],
  },
  'POST /auth/mfa/recovery-codes': {
    summary: 'A new set of recovery codes; the old set dies',
    description: 'Needs a session whose second factor is at most MFA_RECENT_SECONDS old.',
    tags: ['mfa'],
    success: {
      status: 200,
      kind: 'json',
      description: '10 new codes, shown once',
      schema: { type: 'object', required: ['recoveryCodes'], properties: { recoveryCodes: codes } },
    },
    errors: ['reauthentication_required', 'not_found', ...common],
  },
  'POST /auth/mfa/verify': {
    summary: 'Finish a sign-in that needs a second factor',
    description:
      'The mfaToken comes from a 401 mfa_required answer, or from the HttpOnly __Host-mfa cookie after social sign-in. 5 attempts per mfaToken, 10 per account per 15 minutes. method webauthn takes the response to POST /auth/mfa/webauthn/options in `response`.',
    tags: ['mfa'],
    body: mfaVerifySchema,
    success: { status: 200, kind: 'tokens', description: 'Signed in; amr has mfa' },
    errors: [
      'invalid_request',
      'invalid_code',
      'invalid_token',
      'account_disabled',
      'too_many_attempts',
      'forbidden_origin',
      ...common,
    ],
  },
  'POST /admin/users/{id}/mfa/reset': {
    summary: "Remove every factor and recovery code of a user and end the user's sessions (role admin)",
    tags: ['admin'],
    success: { status: 204, kind: 'empty', description: 'Reset; the user signs in with a first factor alone again' },
    errors: ['invalid_request', 'not_found'],
  },
};

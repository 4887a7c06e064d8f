/** OpenAPI entries of the personal API-key routes, kept beside the others' in route-docs.ts. */
import type { ErrorCode } from '../../shared/domain/errors.js';
import { createApiKeySchema } from '../../shared/http/api-keys.js';
import type { RouteDoc } from './route-docs.js';

const common: ErrorCode[] = ['invalid_json', 'payload_too_large', 'unsupported_media_type', 'internal_error'];

const apiKey = {
  id: { type: 'string' },
  name: { type: 'string' },
  prefix: { type: 'string', description: '`lak_` and the first 8 characters, for telling keys apart' },
  scopes: { type: 'array', items: { type: 'string' } },
  createdAt: { type: 'string', format: 'date-time' },
  expiresAt: { type: 'string', format: 'date-time' },
};

export const API_KEY_ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /auth/api-keys': {
    summary: 'Create a personal API key (shown once)',
    description:
      'The key (`lak_` + 256 random bits + a CRC32 checksum) is in this answer only; only its SHA-256 is stored. ' +
      'Scopes default to, and must be a subset of, the caller’s; expiresInDays defaults to 90, at most 365. ' +
      'Present it as `Authorization: Bearer lak_…` on protected routes: it acts as its owner with its scopes. ' +
      'Needs a session’s access token: an API key or a client token cannot create keys (403).',
    tags: ['api-keys'],
    body: createApiKeySchema,
    success: {
      status: 201,
      kind: 'json',
      description: 'The new key, with `key` shown this once',
      schema: {
        type: 'object',
        required: ['id', 'name', 'key', 'prefix', 'scopes', 'createdAt', 'expiresAt'],
        properties: { ...apiKey, key: { type: 'string', pattern: '^lak_[0-9A-Za-z]{49}$' } },
      },
    },
    errors: ['invalid_request', 'forbidden', ...common],
  },
  'GET /auth/api-keys': {
    summary: "The caller's API keys (never a key)",
    tags: ['api-keys'],
    success: {
      status: 200,
      kind: 'json',
      description: 'Live keys, newest first; lastUsedAt is recorded at most once a minute',
      schema: {
        type: 'object',
        required: ['apiKeys'],
        properties: {
          apiKeys: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'name', 'prefix', 'scopes', 'createdAt', 'expiresAt', 'lastUsedAt'],
              properties: { ...apiKey, lastUsedAt: { type: ['string', 'null'], format: 'date-time' } },
            },
          },
        },
      },
    },
    errors: ['internal_error'],
  },
  'DELETE /auth/api-keys/{id}': {
    summary: 'Revoke one of your API keys',
    description: 'The authorizer refuses the key within 60 seconds (its cache and API Gateway’s together).',
    tags: ['api-keys'],
    success: { status: 204, kind: 'empty', description: 'Revoked' },
    errors: ['invalid_request', 'not_found', 'internal_error'],
  },
};

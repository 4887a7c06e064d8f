/** OpenAPI entries of the machine-identity routes (clients and the token endpoint), beside the others' in route-docs.ts. */
import { createClientSchema } from '../../functions/admin-create-client/schema.js';
import type { ErrorCode } from '../../shared/domain/errors.js';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../../shared/ports/client-store.js';
import type { RouteDoc } from './route-docs.js';

const common: ErrorCode[] = ['invalid_json', 'payload_too_large', 'unsupported_media_type', 'internal_error'];
const client = {
  type: 'object',
  required: ['clientId', 'name', 'scopes', 'tokenEndpointAuthMethod', 'createdAt'],
  properties: {
    clientId: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    tokenEndpointAuthMethod: { type: 'string', enum: TOKEN_ENDPOINT_AUTH_METHODS },
    createdAt: { type: 'string', format: 'date-time' },
    rotatedAt: { type: 'string', format: 'date-time' },
    previousSecretExpiresAt: { type: 'string', format: 'date-time' },
    jwks: { type: 'object', description: 'private_key_jwt: the public keys assertions are verified with' },
  },
};

export const CLIENT_ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /admin/clients': {
    summary: 'Register a machine client (OAuth 2.0 client credentials)',
    description:
      'The secret (256 random bits) is in this answer only; only its SHA-256 is stored. private_key_jwt clients get no secret.',
    tags: ['admin', 'clients'],
    body: createClientSchema,
    success: {
      status: 201,
      kind: 'json',
      description: 'The client, with clientSecret shown once',
      schema: { ...client, properties: { ...client.properties, clientSecret: { type: 'string' } } },
    },
    errors: ['invalid_request', ...common],
  },
  'GET /admin/clients': {
    summary: 'List the machine clients',
    description: 'Never a secret or a hash.',
    tags: ['admin', 'clients'],
    success: {
      status: 200,
      kind: 'json',
      description: 'Every live client',
      schema: { type: 'object', required: ['clients'], properties: { clients: { type: 'array', items: client } } },
    },
    errors: ['internal_error'],
  },
  'POST /admin/clients/{clientId}/secret': {
    summary: "Rotate a client's secret",
    description:
      'The previous secret keeps working until previousSecretExpiresAt (CLIENT_SECRET_OVERLAP_SECONDS, default 1 day, at most 7).',
    tags: ['admin', 'clients'],
    success: {
      status: 200,
      kind: 'json',
      description: 'The new secret, shown once',
      schema: {
        type: 'object',
        required: ['clientSecret', 'previousSecretExpiresAt'],
        properties: {
          clientSecret: { type: 'string' },
          previousSecretExpiresAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    errors: ['invalid_request', 'not_found', 'internal_error'],
  },
  'DELETE /admin/clients/{clientId}': {
    summary: 'Delete a machine client',
    description: 'No new token from then on; tokens already issued live out their exp (≤ 15 min).',
    tags: ['admin', 'clients'],
    success: { status: 204, kind: 'empty', description: 'Deleted' },
    errors: ['invalid_request', 'not_found', 'internal_error'],
  },
  'POST /oauth2/token': {
    summary: 'OAuth 2.0 token endpoint: the client credentials grant (RFC 6749 §4.4)',
    description:
      'Client authentication by HTTP Basic, client_id + client_secret in the body, or a private_key_jwt assertion (RFC 7523). ' +
      'Errors are RFC 6749 §5.2 bodies {error, error_description}; every answer is Cache-Control: no-store. Throttled per client.',
    tags: ['clients'],
    form: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { const: 'client_credentials' },
        scope: {
          type: 'string',
          description: 'space-separated; a subset of the granted scopes (default: all of them)',
        },
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
        client_assertion_type: { const: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' },
        client_assertion: { type: 'string' },
      },
    },
    success: {
      status: 200,
      kind: 'json',
      description: 'RFC 6749 §5.1: a client token (at+jwt, sub = client_id, the granted scope, no user claims)',
      schema: {
        type: 'object',
        required: ['access_token', 'token_type', 'expires_in', 'scope'],
        properties: {
          access_token: { type: 'string' },
          token_type: { const: 'Bearer' },
          expires_in: { type: 'integer' },
          scope: { type: 'string' },
        },
      },
    },
    oauthErrors: true,
    errors: ['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type', 'too_many_attempts'],
  },
};

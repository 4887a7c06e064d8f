/** Machine clients, the token endpoint and personal API keys: their least privilege. Part of FUNCTION_SPECS (infra/function-specs.ts). */
import type { AuthFunctionName, FunctionSpec } from '../function-specs.js';
import { HANDLER_TIMEOUT } from './timeouts.js';

export const MACHINE_IDENTITY_SPECS = {
  'admin-create-client': {
    description: 'POST /admin/clients (admin): register a machine client (OAuth 2.0 client credentials)',
    tables: { Clients: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'admin-list-clients': {
    description: 'GET /admin/clients (admin): the machine clients, never a secret',
    tables: { Clients: 'read' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'admin-rotate-client-secret': {
    description: "POST /admin/clients/{clientId}/secret (admin): rotate a client's secret (bounded overlap)",
    tables: { Clients: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'admin-delete-client': {
    description: 'DELETE /admin/clients/{clientId} (admin): delete a machine client; no new tokens from then on',
    tables: { Clients: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'oauth-token': {
    description: 'POST /oauth2/token: client credentials grant (secret or private_key_jwt), a client token',
    // Clients read only: a token request never writes a client. Ephemeral: the per-client limit and the used
    // assertion ids. No grant on the users table: this public endpoint cannot read accounts at all.
    tables: { Clients: 'read', Ephemeral: 'readWrite' },
    keyRing: 'read',
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'api-key-create': {
    description: 'POST /auth/api-keys (Bearer): a personal API key, shown once, stored only as SHA-256',
    tables: { ApiKeys: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'api-key-list': {
    description: "GET /auth/api-keys (Bearer): the caller's API keys, never a key",
    tables: { ApiKeys: 'read' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'api-key-revoke': {
    description: "DELETE /auth/api-keys/{id} (Bearer): revoke one of the caller's API keys",
    tables: { ApiKeys: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
} satisfies Partial<Record<AuthFunctionName, FunctionSpec>>;

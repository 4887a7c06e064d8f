/**
 * The authorizer's API-key path, composed: built into its own file (`api-key-path.js`) beside the authorizer's
 * `index.mjs` (infra/bundling/bundling.ts), and imported by the handler only when a well-formed API key arrives.
 * It brings the DynamoDB client; the JWT path never loads it (S78).
 */
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import { DynamoApiKeyStore } from '../../shared/adapters/dynamo/api-key-store.js';
import { createApiKeyPath, type ApiKeyAuthenticator } from '../../shared/authorizer/api-key-path.js';

export function createDefaultApiKeyPath(env: Record<string, string | undefined> = process.env): ApiKeyAuthenticator {
  const table = env.API_KEYS_TABLE;
  if (!table) throw new Error('Invalid configuration: API_KEYS_TABLE: is required for API keys');
  const cacheSeconds = Number(env.API_KEY_CACHE_SECONDS ?? 0);
  if (!Number.isInteger(cacheSeconds) || cacheSeconds < 0 || cacheSeconds > 60)
    throw new Error('Invalid configuration: API_KEY_CACHE_SECONDS: must be an integer from 0 to 60');
  const doc = createDocumentClient({ endpoint: env.DYNAMODB_ENDPOINT });
  return createApiKeyPath({ lookup: new DynamoApiKeyStore(doc, table), cacheSeconds });
}

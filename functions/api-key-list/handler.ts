import { apiKeyDeps, getConfig } from '../../shared/composition/handlers.js';
import { listApiKeys, type ApiKeyDeps } from '../../shared/domain/api-keys/manage.js';
import { apiKeyCaller } from '../../shared/http/api-keys.js';
import { httpHandler } from '../../shared/http/handler.js';

/** GET /auth/api-keys (Bearer) — the caller's keys: prefix, scopes, dates; never a key or its hash. */
export const createHandler = (deps: ApiKeyDeps, config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 200,
    body: { apiKeys: await listApiKeys(deps, apiKeyCaller(req.event)) },
  }));

export const handler = createHandler(apiKeyDeps());

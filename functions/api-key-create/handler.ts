import { apiKeyDeps, getConfig } from '../../shared/composition/handlers.js';
import { createApiKey, type ApiKeyDeps } from '../../shared/domain/api-keys/manage.js';
import { apiKeyCaller, createApiKeySchema } from '../../shared/http/api-keys.js';
import { httpHandler } from '../../shared/http/handler.js';

/** POST /auth/api-keys (Bearer) — a personal API key; `key` is in this answer only (S77). */
export const createHandler = (deps: ApiKeyDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: createApiKeySchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const { lastUsedAt: _unused, ...created } = await createApiKey(deps, apiKeyCaller(req.event), req.body);
    return { statusCode: 201, body: created };
  });

export const handler = createHandler(apiKeyDeps());

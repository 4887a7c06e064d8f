import { apiKeyDeps, getConfig } from '../../shared/composition/handlers.js';
import { revokeApiKey, type ApiKeyDeps } from '../../shared/domain/api-keys/manage.js';
import { apiKeyCaller } from '../../shared/http/api-keys.js';
import { httpHandler } from '../../shared/http/handler.js';
import { pathId } from '../../shared/http/params.js';

/** DELETE /auth/api-keys/{id} (Bearer) — revoke; the authorizer refuses the key within 60 s (S77). */
export const createHandler = (deps: ApiKeyDeps, config = getConfig()) =>
  httpHandler({ methods: ['DELETE'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    await revokeApiKey(deps, apiKeyCaller(req.event), pathId(req.event, 'id'));
    return { statusCode: 204 };
  });

export const handler = createHandler(apiKeyDeps());

import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { adminDeps, getConfig } from '../../shared/composition/handlers.js';
import { getUser, type AdminDeps } from '../../shared/domain/admin.js';
import { httpHandler } from '../../shared/http/handler.js';
import { pathId } from '../../shared/http/params.js';

/** GET /admin/users/{id} (role admin, enforced by the authorizer) — an account without its password hash. */
export const createHandler = (deps: AdminDeps, config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    getAuthContext(req.event);
    return { statusCode: 200, body: await getUser(deps, pathId(req.event, 'id')) };
  });

export const handler = createHandler(adminDeps());

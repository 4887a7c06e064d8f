import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { adminDeps, getConfig } from '../../shared/composition/handlers.js';
import { setUserRoles, type AdminDeps } from '../../shared/domain/admin.js';
import { httpHandler } from '../../shared/http/handler.js';
import { pathId } from '../../shared/http/params.js';
import { setRolesSchema } from './schema.js';

/** PUT /admin/users/{id}/roles {roles} (role admin) — replace a user's roles; effective at their next refresh. */
export const createHandler = (deps: AdminDeps, config = getConfig()) =>
  httpHandler({ methods: ['PUT'], body: setRolesSchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const actor = getAuthContext(req.event);
    return { statusCode: 200, body: await setUserRoles(deps, actor.sub, pathId(req.event, 'id'), req.body.roles) };
  });

export const handler = createHandler(adminDeps());

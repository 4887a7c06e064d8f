import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { adminDeps, getConfig } from '../../shared/composition/handlers.js';
import { revokeUserSessions, type AdminDeps } from '../../shared/domain/admin.js';
import { httpHandler } from '../../shared/http/handler.js';
import { pathId } from '../../shared/http/params.js';

/** POST /admin/users/{id}/revoke-sessions (role admin) — end every refresh-token family of the user. */
export const createHandler = (deps: AdminDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const actor = getAuthContext(req.event);
    await revokeUserSessions(deps, actor.sub, pathId(req.event, 'id'));
    return { statusCode: 204 };
  });

export const handler = createHandler(adminDeps());

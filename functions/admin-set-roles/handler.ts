import * as z from 'zod/mini';
import { getAuthContext } from '../../shared/auth-context.js';
import { adminDeps, getConfig } from '../../shared/composition.js';
import { setUserRoles, type AdminDeps } from '../../shared/domain/admin.js';
import { httpHandler } from '../../shared/http/handler.js';
import { pathId } from '../../shared/http/params.js';

/** Role names travel space-separated in the authorizer context, so they are simple tokens. */
const schema = z.object({
  roles: z
    .array(z.string('must be a string').check(z.regex(/^[a-z][a-z0-9_-]{0,31}$/, 'each role must be a lower-case name like "editor"')), 'must be an array')
    .check(z.maxLength(20, 'at most 20 roles')),
});

/** PUT /admin/users/{id}/roles {roles} (role admin) — replace a user's roles; effective at their next refresh. */
export const createHandler = (deps: AdminDeps, config = getConfig()) =>
  httpHandler({ methods: ['PUT'], body: schema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const actor = getAuthContext(req.event);
    return { statusCode: 200, body: await setUserRoles(deps, actor.sub, pathId(req.event, 'id'), req.body.roles) };
  });

export const handler = createHandler(adminDeps());

import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { clientAdminDeps } from '../../shared/composition/clients.js';
import { getConfig } from '../../shared/composition/config.js';
import { deleteClient, type ClientAdminDeps } from '../../shared/domain/clients/manage.js';
import { httpHandler } from '../../shared/http/handler.js';
import { pathId } from '../../shared/http/params.js';

/** DELETE /admin/clients/{clientId} (role admin) — no new token for this client from now on (S76). */
export const createHandler = (deps: ClientAdminDeps, config = getConfig()) =>
  httpHandler({ methods: ['DELETE'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    await deleteClient(deps, getAuthContext(req.event).sub, pathId(req.event, 'clientId'));
    return { statusCode: 204 };
  });

export const handler = createHandler(clientAdminDeps());

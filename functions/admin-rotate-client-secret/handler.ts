import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { clientAdminDeps } from '../../shared/composition/clients.js';
import { getConfig } from '../../shared/composition/config.js';
import { rotateClientSecret, type ClientAdminDeps } from '../../shared/domain/clients/manage.js';
import { httpHandler } from '../../shared/http/handler.js';
import { pathId } from '../../shared/http/params.js';

/** POST /admin/clients/{clientId}/secret (role admin) — a new secret; the old one works until the stated overlap ends (S79). */
export const createHandler = (deps: ClientAdminDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 200,
    body: await rotateClientSecret(deps, getAuthContext(req.event).sub, pathId(req.event, 'clientId')),
  }));

export const handler = createHandler(clientAdminDeps());

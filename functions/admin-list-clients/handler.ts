import { clientAdminDeps } from '../../shared/composition/clients.js';
import { getConfig } from '../../shared/composition/config.js';
import { listClients, type ClientAdminDeps } from '../../shared/domain/clients/manage.js';
import { httpHandler } from '../../shared/http/handler.js';

/** GET /admin/clients (role admin) — every machine client, never a secret or a hash. */
export const createHandler = (deps: ClientAdminDeps, config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async () => ({
    statusCode: 200,
    body: { clients: await listClients(deps) },
  }));

export const handler = createHandler(clientAdminDeps());

import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { clientAdminDeps } from '../../shared/composition/clients.js';
import { getConfig } from '../../shared/composition/config.js';
import { registerClient, type ClientAdminDeps } from '../../shared/domain/clients/manage.js';
import { httpHandler } from '../../shared/http/handler.js';
import { createClientSchema } from './schema.js';

/** POST /admin/clients (role admin) — register a machine client; its secret is in this answer only (S74). */
export const createHandler = (deps: ClientAdminDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: createClientSchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const { jwks, ...rest } = req.body;
    const client = await registerClient(deps, getAuthContext(req.event).sub, {
      ...rest,
      ...(jwks ? { jwks: { keys: jwks.keys } } : {}),
    });
    return { statusCode: 201, body: client };
  });

export const handler = createHandler(clientAdminDeps());

import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { getConfig } from '../../shared/composition/config.js';
import { httpHandler } from '../../shared/http/handler.js';

/**
 * GET /auth/me — the example protected Lambda. The authorizer already verified the token and the route's
 * role; this handler only reads the identity it passed, with the typed helper from `shared/`.
 */
export const createHandler = (config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, (req) => {
    const { sub, email, emailVerified, roles, amr } = getAuthContext(req.event);
    return Promise.resolve({ statusCode: 200, body: { sub, email, emailVerified, roles, amr } });
  });

export const handler = createHandler();

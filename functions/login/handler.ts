import { getConfig, loginDeps } from '../../shared/composition/handlers.js';
import { logIn, type LoginDeps } from '../../shared/domain/login.js';
import { httpHandler } from '../../shared/http/handler.js';
import { credentialsSchema } from '../../shared/http/schemas.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/** POST /auth/login — password sign-in; always starts a new refresh-token family (S8). */
export const createHandler = (deps: LoginDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: credentialsSchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const tokens = await logIn(deps, { ...req.body, sourceIp: req.sourceIp });
    return tokenResponse(200, tokens, {
      cookieName: config.REFRESH_COOKIE_NAME,
      deliverInBody: wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
    });
  });

export const handler = createHandler(loginDeps());

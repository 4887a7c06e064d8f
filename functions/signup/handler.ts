import { getConfig, signUpDeps } from '../../shared/composition.js';
import { signUp, type SignUpDeps } from '../../shared/domain/signup.js';
import { httpHandler } from '../../shared/http/handler.js';
import { credentialsSchema } from '../../shared/http/schemas.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/** POST /auth/signup — create a password account (argon2id) and sign it in. */
export const createHandler = (deps: SignUpDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: credentialsSchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const tokens = await signUp(deps, req.body);
    return tokenResponse(201, tokens, {
      cookieName: config.REFRESH_COOKIE_NAME,
      deliverInBody: wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
    });
  });

export const handler = createHandler(signUpDeps());

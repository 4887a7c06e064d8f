import { getConfig } from '../../shared/composition/handlers.js';
import { passkeySignInDeps } from '../../shared/composition/passkeys.js';
import { signInWithPasskey, type PasskeySignInDeps } from '../../shared/domain/passkeys/passkeys.js';
import { httpHandler } from '../../shared/http/handler.js';
import { authenticateVerifySchema } from '../../shared/http/passkeys.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/** POST /auth/passkeys/authenticate/verify — sign in with a passkey, through the one sign-in funnel (amr pop + mfa). */
export const createHandler = (deps: PasskeySignInDeps, config = getConfig()) =>
  httpHandler(
    { methods: ['POST'], body: authenticateVerifySchema, maxBodyBytes: config.MAX_BODY_BYTES },
    async (req) => {
      const result = await signInWithPasskey(deps, req.body.response);
      return tokenResponse(200, result.tokens, {
        cookieName: config.REFRESH_COOKIE_NAME,
        deliverInBody: wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
      });
    },
  );

export const handler = createHandler(passkeySignInDeps());

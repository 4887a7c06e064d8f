import { getConfig } from '../../shared/composition/handlers.js';
import { passkeySignInDeps } from '../../shared/composition/passkeys.js';
import { authenticationOptions, type PasskeySignInDeps } from '../../shared/domain/passkeys/passkeys.js';
import { httpHandler } from '../../shared/http/handler.js';

/** POST /auth/passkeys/authenticate/options — request options for a usernameless sign-in (429 per IP). */
export const createHandler = (deps: PasskeySignInDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 200,
    body: await authenticationOptions(deps, req.sourceIp),
  }));

export const handler = createHandler(passkeySignInDeps());

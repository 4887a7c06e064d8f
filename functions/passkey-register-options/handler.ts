import { getConfig } from '../../shared/composition/handlers.js';
import { passkeyDeps } from '../../shared/composition/passkeys.js';
import { registrationOptions, type PasskeyDeps } from '../../shared/domain/passkeys/passkeys.js';
import { httpHandler } from '../../shared/http/handler.js';
import { passkeyCaller } from '../../shared/http/passkeys.js';

/** POST /auth/passkeys/register/options (Bearer) — creation options for a discoverable, user-verified passkey. */
export const createHandler = (deps: PasskeyDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 200,
    body: await registrationOptions(deps, passkeyCaller(req.event)),
  }));

export const handler = createHandler(passkeyDeps());

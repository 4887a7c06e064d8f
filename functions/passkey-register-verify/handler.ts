import { getConfig } from '../../shared/composition/handlers.js';
import { passkeyManageDeps } from '../../shared/composition/passkeys.js';
import { verifyRegistration, type PasskeyDeps } from '../../shared/domain/passkeys/passkeys.js';
import { httpHandler } from '../../shared/http/handler.js';
import { passkeyCaller, registerVerifySchema } from '../../shared/http/passkeys.js';

/** POST /auth/passkeys/register/verify (Bearer) — stores the passkey: 201, 400 invalid_passkey, 409 passkey_exists. */
export const createHandler = (deps: PasskeyDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: registerVerifySchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 201,
    body: await verifyRegistration(deps, passkeyCaller(req.event), req.body),
  }));

export const handler = createHandler(passkeyManageDeps());

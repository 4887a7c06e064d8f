import { getConfig } from '../../shared/composition/handlers.js';
import { mfaDeps } from '../../shared/composition/mfa.js';
import type { MfaDeps } from '../../shared/domain/mfa/deps.js';
import { webauthnSecondFactorOptions } from '../../shared/domain/mfa/webauthn-options.js';
import { httpHandler } from '../../shared/http/handler.js';
import { mfaWebauthnOptionsSchema } from '../../shared/http/passkeys.js';

/** POST /auth/mfa/webauthn/options `{mfaToken}` — request options for a passkey as second factor (401 invalid_token). */
export const createHandler = (deps: MfaDeps, config = getConfig()) =>
  httpHandler(
    { methods: ['POST'], body: mfaWebauthnOptionsSchema, maxBodyBytes: config.MAX_BODY_BYTES },
    async (req) => ({ statusCode: 200, body: await webauthnSecondFactorOptions(deps, req.body.mfaToken) }),
  );

export const handler = createHandler(mfaDeps());

import { getConfig } from '../../shared/composition/handlers.js';
import { mfaDeps } from '../../shared/composition/mfa.js';
import type { MfaDeps } from '../../shared/domain/mfa/deps.js';
import { startTotpEnrolment } from '../../shared/domain/mfa/enrol.js';
import { httpHandler } from '../../shared/http/handler.js';
import { enrolmentRouteCaller } from '../../shared/http/mfa.js';

/** POST /auth/mfa/totp (Bearer) — a pending authenticator: its base32 secret and otpauth:// URI, shown once (S60). */
export const createHandler = (deps: MfaDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 201,
    body: await startTotpEnrolment(deps, await enrolmentRouteCaller(deps, req.event, req.headers)),
  }));

export const handler = createHandler(mfaDeps());

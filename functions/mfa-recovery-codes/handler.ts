import { getConfig } from '../../shared/composition/handlers.js';
import { mfaManageDeps } from '../../shared/composition/mfa.js';
import { replaceRecoveryCodes, type MfaManageDeps } from '../../shared/domain/mfa/manage.js';
import { httpHandler } from '../../shared/http/handler.js';
import { mfaCaller } from '../../shared/http/mfa.js';

/** POST /auth/mfa/recovery-codes (Bearer) — a new set, shown once; the old set dies (S62). Needs a recent MFA (S63). */
export const createHandler = (deps: MfaManageDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => ({
    statusCode: 200,
    body: { recoveryCodes: await replaceRecoveryCodes(deps, mfaCaller(req.event)) },
  }));

export const handler = createHandler(mfaManageDeps());

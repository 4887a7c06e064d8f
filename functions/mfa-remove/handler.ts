import { getConfig } from '../../shared/composition/handlers.js';
import { mfaManageDeps } from '../../shared/composition/mfa.js';
import { removeFactor, type MfaManageDeps } from '../../shared/domain/mfa/manage.js';
import { httpHandler } from '../../shared/http/handler.js';
import { mfaCaller } from '../../shared/http/mfa.js';
import { pathId } from '../../shared/http/params.js';

/** DELETE /auth/mfa/{factorId} (Bearer) — needs a recent second factor (S63). */
export const createHandler = (deps: MfaManageDeps, config = getConfig()) =>
  httpHandler({ methods: ['DELETE'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    await removeFactor(deps, mfaCaller(req.event), pathId(req.event, 'factorId'));
    return { statusCode: 204 };
  });

export const handler = createHandler(mfaManageDeps());

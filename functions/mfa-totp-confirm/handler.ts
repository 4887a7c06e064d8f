import { getConfig } from '../../shared/composition/handlers.js';
import { mfaDeps } from '../../shared/composition/mfa.js';
import type { MfaDeps } from '../../shared/domain/mfa/deps.js';
import { confirmTotpEnrolment } from '../../shared/domain/mfa/enrol.js';
import { httpHandler } from '../../shared/http/handler.js';
import { enrolmentRouteCaller, totpConfirmSchema } from '../../shared/http/mfa.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/** POST /auth/mfa/totp/verify (Bearer) — the first code confirms the factor: a new session with `mfa` (S64), codes. */
export const createHandler = (deps: MfaDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], body: totpConfirmSchema, maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const { recoveryCodes, ...tokens } = await confirmTotpEnrolment(
      deps,
      await enrolmentRouteCaller(deps, req.event, req.headers),
      req.body,
    );
    const response = tokenResponse(200, tokens, {
      cookieName: config.REFRESH_COOKIE_NAME,
      deliverInBody: wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
    });
    return { ...response, body: { ...(response.body as object), recoveryCodes } };
  });

export const handler = createHandler(mfaDeps());

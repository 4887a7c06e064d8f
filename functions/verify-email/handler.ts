import { getConfig } from '../../shared/composition/config.js';
import { getUserStore } from '../../shared/composition/handlers.js';
import { emailTokenDeps } from '../../shared/composition/email.js';
import type { EmailTokenDeps } from '../../shared/domain/email-token.js';
import { verifyEmail } from '../../shared/domain/email-verification.js';
import type { UserStore } from '../../shared/ports/user-store.js';
import { LANDING_PAGE_CSP, landingPage } from '../../shared/http/email-landing-page.js';
import { redemptionOf, redemptionSchema } from '../../shared/http/email-schemas.js';
import { httpHandler } from '../../shared/http/handler.js';

/**
 * GET /auth/verify-email?token=… — the landing page (submits by itself: confirming an address signs nobody in).
 * POST /auth/verify-email `{token}` or `{email, code}` — marks the address verified, once.
 */
export const createHandler = (deps: EmailTokenDeps & { users: UserStore }, config = getConfig()) =>
  httpHandler(
    {
      methods: ['GET', 'POST'],
      body: redemptionSchema,
      maxBodyBytes: config.MAX_BODY_BYTES,
      contentSecurityPolicy: LANDING_PAGE_CSP,
    },
    async (req) => {
      if (req.event.requestContext.http.method === 'GET') return landingPage('verify_email', { autoSubmit: true });
      await verifyEmail(deps, redemptionOf(req.body));
      return { statusCode: 200, body: { emailVerified: true } };
    },
  );

export const handler = createHandler({ ...emailTokenDeps(), users: getUserStore() });

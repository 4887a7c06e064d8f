import { getConfig } from '../../shared/composition/config.js';
import { passwordResetDeps } from '../../shared/composition/email.js';
import { confirmPasswordReset, type PasswordResetDeps } from '../../shared/domain/password-reset.js';
import { AuthError } from '../../shared/domain/errors.js';
import { clearRefreshCookie } from '../../shared/http/cookies.js';
import { LANDING_PAGE_CSP, landingPage } from '../../shared/http/email-landing-page.js';
import { redemptionOf, redemptionSchema } from '../../shared/http/email-schemas.js';
import { httpHandler } from '../../shared/http/handler.js';

/**
 * GET /auth/password-reset/confirm?token=… — the page with the new-password form.
 * POST /auth/password-reset/confirm `{token | email+code, newPassword}` — `204`: password replaced, every
 * session ended, address verified; the caller signs in again with the new password.
 */
export const createHandler = (deps: PasswordResetDeps, config = getConfig()) =>
  httpHandler(
    {
      methods: ['GET', 'POST'],
      body: redemptionSchema,
      maxBodyBytes: config.MAX_BODY_BYTES,
      contentSecurityPolicy: LANDING_PAGE_CSP,
    },
    async (req) => {
      if (req.event.requestContext.http.method === 'GET') return landingPage('password_reset', { autoSubmit: false });
      const newPassword = req.body.newPassword;
      if (newPassword === undefined) throw new AuthError('invalid_request', 'newPassword: is required');
      await confirmPasswordReset(deps, { ...redemptionOf(req.body), newPassword });
      return { statusCode: 204, cookies: [clearRefreshCookie(config.REFRESH_COOKIE_NAME)] };
    },
  );

export const handler = createHandler(passwordResetDeps());

import { getConfig } from '../../shared/composition/handlers.js';
import { mfaDeps } from '../../shared/composition/mfa.js';
import { AuthError } from '../../shared/domain/errors.js';
import type { MfaDeps } from '../../shared/domain/mfa/deps.js';
import { verifyMfa } from '../../shared/domain/mfa/verify.js';
import { readCookie } from '../../shared/http/cookies.js';
import { httpHandler } from '../../shared/http/handler.js';
import { clearMfaCookie, MFA_COOKIE, mfaVerifySchema } from '../../shared/http/mfa.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/**
 * POST /auth/mfa/verify — the second step of a sign-in (S59). The `mfaToken` comes in the body, or in the
 * `__Host-mfa` cookie after a social sign-in (S66); that cookie makes this a cookie-authenticated route, so a
 * foreign Origin is refused (S41).
 */
export const createHandler = (deps: MfaDeps, config = getConfig()) =>
  httpHandler(
    {
      methods: ['POST'],
      body: mfaVerifySchema,
      maxBodyBytes: config.MAX_BODY_BYTES,
      cookieAuth: { allowedOrigins: config.CORS_ORIGINS },
    },
    async (req) => {
      const mfaToken = req.body.mfaToken ?? readCookie(req.event.cookies, req.headers.cookie, MFA_COOKIE);
      if (!mfaToken) throw new AuthError('invalid_token', 'mfaToken: missing; sign in again.');
      const { method, code, response: assertion } = req.body;
      const tokens = await verifyMfa(deps, { mfaToken, method, code, response: assertion });
      const response = tokenResponse(200, tokens, {
        cookieName: config.REFRESH_COOKIE_NAME,
        deliverInBody: wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
      });
      return { ...response, cookies: [...(response.cookies ?? []), clearMfaCookie()] };
    },
  );

export const handler = createHandler(mfaDeps());

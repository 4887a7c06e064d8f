import { getConfig, refreshDeps } from '../../shared/composition.js';
import { rotateRefreshToken, type RefreshDeps } from '../../shared/domain/refresh.js';
import { readCookie } from '../../shared/http/cookies.js';
import { httpHandler } from '../../shared/http/handler.js';
import { refreshTokenBodySchema } from '../../shared/http/schemas.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/** POST /auth/refresh — rotate the refresh token (cookie, or body for native clients). */
export const createHandler = (deps: RefreshDeps, config = getConfig()) =>
  httpHandler(
    {
      methods: ['POST'],
      body: refreshTokenBodySchema,
      maxBodyBytes: config.MAX_BODY_BYTES,
      cookieAuth: { allowedOrigins: config.CORS_ORIGINS },
    },
    async (req) => {
      const fromBody = req.body.refreshToken;
      const raw = fromBody ?? readCookie(req.event.cookies, req.headers.cookie, config.REFRESH_COOKIE_NAME);
      const tokens = await rotateRefreshToken(deps, raw);
      return tokenResponse(200, tokens, {
        cookieName: config.REFRESH_COOKIE_NAME,
        // A client that sent the token in the body has no cookie jar: answer in kind.
        deliverInBody: fromBody !== undefined || wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
      });
    },
  );

export const handler = createHandler(refreshDeps());

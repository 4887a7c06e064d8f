import { getConfig, getRefreshTokenStore, systemClock } from '../../shared/composition.js';
import { logOut, type LogoutDeps } from '../../shared/domain/logout.js';
import { clearRefreshCookie, readCookie } from '../../shared/http/cookies.js';
import { httpHandler } from '../../shared/http/handler.js';
import { refreshTokenBodySchema } from '../../shared/http/schemas.js';

/** POST /auth/logout — revoke this session's family and clear the cookie. Always 204. GET → 405. */
export const createHandler = (deps: LogoutDeps, config = getConfig()) =>
  httpHandler(
    {
      methods: ['POST'],
      body: refreshTokenBodySchema,
      maxBodyBytes: config.MAX_BODY_BYTES,
      cookieAuth: { allowedOrigins: config.CORS_ORIGINS },
    },
    async (req) => {
      const raw = req.body.refreshToken ?? readCookie(req.event.cookies, req.headers.cookie, config.REFRESH_COOKIE_NAME);
      await logOut(deps, raw);
      return { statusCode: 204, cookies: [clearRefreshCookie(config.REFRESH_COOKIE_NAME)] };
    },
  );

export const handler = createHandler({ clock: systemClock, refreshTokens: getRefreshTokenStore() });

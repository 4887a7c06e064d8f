import { getConfig, getRefreshTokenStore, systemClock } from '../../shared/composition/handlers.js';
import { logOut, type LogoutDeps } from '../../shared/domain/logout.js';
import { clearRefreshCookie } from '../../shared/http/cookies.js';
import { httpHandler } from '../../shared/http/handler.js';
import { presentedRefreshToken, refreshTokenRouteOptions } from '../../shared/http/refresh-token-route.js';

/** POST /auth/logout — revoke this session's family and clear the cookie. Always 204. GET → 405. */
export const createHandler = (deps: LogoutDeps, config = getConfig()) =>
  httpHandler(refreshTokenRouteOptions(config), async (req) => {
    await logOut(deps, presentedRefreshToken(req, config));
    return { statusCode: 204, cookies: [clearRefreshCookie(config.REFRESH_COOKIE_NAME)] };
  });

export const handler = createHandler({ clock: systemClock, refreshTokens: getRefreshTokenStore() });

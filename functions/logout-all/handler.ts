import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { getConfig, getRefreshTokenStore, systemClock } from '../../shared/composition/handlers.js';
import { logOutEverywhere, type LogoutDeps } from '../../shared/domain/logout.js';
import { clearRefreshCookie } from '../../shared/http/cookies.js';
import { httpHandler } from '../../shared/http/handler.js';

/** POST /auth/logout-all (Bearer, behind the authorizer) — revoke every session of the caller (S27). */
export const createHandler = (deps: LogoutDeps, config = getConfig()) =>
  httpHandler({ methods: ['POST'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const { sub } = getAuthContext(req.event);
    await logOutEverywhere(deps, sub);
    return { statusCode: 204, cookies: [clearRefreshCookie(config.REFRESH_COOKIE_NAME)] };
  });

export const handler = createHandler({ clock: systemClock, refreshTokens: getRefreshTokenStore() });

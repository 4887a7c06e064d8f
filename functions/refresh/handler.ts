import { getConfig, refreshDeps } from '../../shared/composition/handlers.js';
import { rotateRefreshToken, type RefreshDeps } from '../../shared/domain/refresh.js';
import { httpHandler } from '../../shared/http/handler.js';
import { presentedRefreshToken, refreshTokenRouteOptions } from '../../shared/http/refresh-token-route.js';
import { tokenResponse, wantsBodyDelivery } from '../../shared/http/token-response.js';

/** POST /auth/refresh — rotate the refresh token (cookie, or body for native clients). */
export const createHandler = (deps: RefreshDeps, config = getConfig()) =>
  httpHandler(refreshTokenRouteOptions(config), async (req) => {
    const tokens = await rotateRefreshToken(deps, presentedRefreshToken(req, config));
    return tokenResponse(200, tokens, {
      cookieName: config.REFRESH_COOKIE_NAME,
      // A client that sent the token in the body has no cookie jar: answer in kind.
      deliverInBody:
        req.body.refreshToken !== undefined ||
        wantsBodyDelivery(req.body.tokenDelivery, req.headers['x-token-delivery']),
    });
  });

export const handler = createHandler(refreshDeps());

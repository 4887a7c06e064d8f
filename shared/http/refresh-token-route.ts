import type { Config } from '../config.js';
import { readCookie } from './cookies.js';
import type { HttpOptions, HttpRequest } from './handler.js';
import { refreshTokenBodySchema } from './schemas.js';

/**
 * The routes authenticated by the refresh token itself (refresh, logout): POST only, JSON only, and — because a
 * browser sends the cookie on its own — a foreign `Origin` is refused (S41).
 */
export const refreshTokenRouteOptions = (config: Config): HttpOptions<typeof refreshTokenBodySchema> => ({
  methods: ['POST'],
  body: refreshTokenBodySchema,
  maxBodyBytes: config.MAX_BODY_BYTES,
  cookieAuth: { allowedOrigins: config.CORS_ORIGINS },
});

type RefreshTokenRequest = HttpRequest<{ refreshToken?: string | undefined }>;

/** The presented refresh token: from the body (native clients), else from the refresh cookie (browsers). */
export const presentedRefreshToken = (req: RefreshTokenRequest, config: Config): string | undefined =>
  req.body.refreshToken ?? readCookie(req.event.cookies, req.headers.cookie, config.REFRESH_COOKIE_NAME);

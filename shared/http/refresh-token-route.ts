import type { Config } from '../config/config.js';
import { AuthError } from '../domain/errors.js';
import { clearRefreshCookieCopies, readCookies } from './cookies.js';
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

/**
 * The presented refresh token: from the body (native clients), else from the refresh cookie (browsers).
 * The cookie sent more than once is cookie tossing (S54): a sibling host planted a second copy, and whichever
 * comes first may be the attacker's session. Neither is used; the answer is `401 invalid_token`, clearing every
 * copy this response can reach, whether or not a body token came too.
 */
export function presentedRefreshToken(req: RefreshTokenRequest, config: Config): string | undefined {
  const name = config.REFRESH_COOKIE_NAME;
  const copies = readCookies(req.event.cookies, req.headers.cookie, name);
  if (copies.length > 1) {
    const cookies = clearRefreshCookieCopies(name, {
      host: req.headers.host ?? req.event.requestContext?.domainName,
      path: req.event.rawPath,
    });
    throw new AuthError('invalid_token', 'The refresh cookie was sent more than once; sign in again.', { cookies });
  }
  const cookie = copies[0];
  return req.body.refreshToken ?? (cookie ? cookie : undefined);
}

import type { SessionTokens } from '../domain/session.js';
import { refreshCookie } from './cookies.js';
import type { HttpResponse } from './handler.js';

/**
 * The contract's token response: the access token in JSON, the refresh token in an HttpOnly cookie, and
 * in the JSON too only for a native client that asked for it (`tokenDelivery: "body"` or
 * `X-Token-Delivery: body`). Always `Cache-Control: no-store` (S28).
 */
export function tokenResponse(
  statusCode: number,
  tokens: SessionTokens,
  options: { cookieName: string; deliverInBody: boolean },
): HttpResponse {
  return {
    statusCode,
    cacheControl: 'no-store',
    headers: { Pragma: 'no-cache' },
    cookies: [refreshCookie(tokens.refreshToken, { name: options.cookieName, maxAgeSeconds: tokens.refreshExpiresIn })],
    body: {
      accessToken: tokens.accessToken,
      tokenType: 'Bearer',
      expiresIn: tokens.expiresIn,
      ...(options.deliverInBody
        ? { refreshToken: tokens.refreshToken, refreshExpiresIn: tokens.refreshExpiresIn }
        : {}),
    },
  };
}

export const wantsBodyDelivery = (bodyFlag: string | undefined, header: string | undefined): boolean =>
  bodyFlag === 'body' || header?.toLowerCase() === 'body';

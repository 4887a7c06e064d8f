import { getConfig } from '../../shared/composition/config.js';
import { oauthDeps } from '../../shared/composition/oauth.js';
import { withError } from '../../shared/domain/redirect.js';
import { completeOAuthSignIn, type OAuthDeps } from '../../shared/domain/oauth/sign-in.js';
import { clearBindingCookie, readBindingCookie } from '../../shared/http/binding-cookie.js';
import { refreshCookie } from '../../shared/http/cookies.js';
import { httpHandler } from '../../shared/http/handler.js';
import { mfaCookie } from '../../shared/http/mfa.js';

/** The page for a failure without a transaction (so without a known, allowlisted place to send the browser). */
const errorPage = (code: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sign-in failed</title></head>
<body><h1>Sign-in failed</h1><p>The sign-in could not be completed (<code>${code}</code>). Go back to the application and start again.</p></body></html>`;

/**
 * GET /auth/oauth/{provider}/callback?code&state — finish social sign-in: 302 to `redirectTo` with the refresh
 * cookie (no token in the URL), or with `error=<code>`; a small error page when there is nowhere safe to go.
 */
export const createHandler = (deps: OAuthDeps, config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const result = await completeOAuthSignIn(deps, {
      provider: req.event.pathParameters?.['provider'] ?? '',
      params: new URLSearchParams(req.event.rawQueryString ?? ''),
      bindingCookie: readBindingCookie('oauth', req.event.cookies, req.headers.cookie),
    });
    // The URL carried a code: never leak it through Referer.
    const headers = { 'Referrer-Policy': 'no-referrer', Pragma: 'no-cache' };
    // Cleared only once a transaction was consumed: a forged callback must not be able to cancel a real flow's cookie.
    const cookies = result.ok || result.redirectTo ? [clearBindingCookie('oauth')] : [];
    if ('mfa' in result) {
      // The mfaToken rides in an HttpOnly cookie (S66); the URL only says that a second step is due.
      const location = new URL(result.redirectTo);
      location.searchParams.set(result.code, '1');
      cookies.push(mfaCookie(result.mfa.mfaToken, result.mfa.expiresIn));
      return { statusCode: 302, headers: { ...headers, Location: location.toString() }, cookies };
    }
    if (result.ok) {
      cookies.push(
        refreshCookie(result.tokens.refreshToken, {
          name: config.REFRESH_COOKIE_NAME,
          maxAgeSeconds: result.tokens.refreshExpiresIn,
        }),
      );
      return { statusCode: 302, headers: { ...headers, Location: result.redirectTo }, cookies };
    }
    if (result.redirectTo)
      return { statusCode: 302, headers: { ...headers, Location: withError(result.redirectTo, result.code) }, cookies };
    return {
      statusCode: result.code === 'unknown_provider' ? 404 : 400,
      headers: { ...headers, 'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'" },
      cookies,
      html: errorPage(result.code),
    };
  });

export const handler = createHandler(oauthDeps());

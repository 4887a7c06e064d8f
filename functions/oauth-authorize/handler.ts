import { getConfig } from '../../shared/composition/config.js';
import { oauthDeps } from '../../shared/composition/oauth.js';
import { beginOAuth, type OAuthDeps } from '../../shared/domain/oauth/sign-in.js';
import { httpHandler } from '../../shared/http/handler.js';
import { bindingCookie } from '../../shared/http/binding-cookie.js';

/** GET /auth/oauth/{provider}/authorize?redirectTo=… — start authorization code + PKCE; 302 to the provider. */
export const createHandler = (deps: OAuthDeps, config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async (req) => {
    const query = new URLSearchParams(req.event.rawQueryString ?? '');
    // A repeated redirectTo is ambiguous (which one would a proxy or a browser use?): refuse it.
    const targets = query.getAll('redirectTo');
    const { location, binding } = await beginOAuth(deps, {
      provider: req.event.pathParameters?.['provider'] ?? '',
      redirectTo: targets.length === 1 ? targets[0] : undefined,
    });
    return {
      statusCode: 302,
      headers: { Location: location, 'Referrer-Policy': 'no-referrer' },
      cookies: [bindingCookie('oauth', binding, Math.min(config.OAUTH_TRANSACTION_TTL_SECONDS, 600))],
    };
  });

export const handler = createHandler(oauthDeps());

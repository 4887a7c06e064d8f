import { getConfig } from '../../shared/composition-config.js';
import type { Config } from '../../shared/config.js';
import { httpHandler } from '../../shared/http/handler.js';

/** GET /.well-known/openid-configuration — issuer metadata (RFC 8414 / OIDC Discovery subset). */
export const createHandler = (config: Config = getConfig()) => {
  const metadata = {
    issuer: config.ISSUER,
    jwks_uri: `${config.ISSUER}/.well-known/jwks.json`,
    // This service issues access tokens (RFC 9068) for its own API; it is not an OpenID provider, so only
    // the members a verifier needs are published.
    access_token_signing_alg_values_supported: [config.SIGNING_ALG],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'email', 'roles', 'scope'],
  };
  return httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async () => ({
    statusCode: 200,
    body: metadata,
    cacheControl: 'public, max-age=3600',
    // S58: cacheable and CORS-dependent, so `Vary: Origin` always (see functions/jwks).
    headers: { Vary: 'Origin' },
  }));
};

export const handler = createHandler();

import type { JwksSource } from '../../shared/ports/jwks-source.js';
import { getConfig } from '../../shared/composition/config.js';
import { getJwksSource } from '../../shared/composition/keys.js';
import type { Config } from '../../shared/config/config.js';
import { AuthError } from '../../shared/domain/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { ASSERTION_ALGORITHMS, TOKEN_ENDPOINT_AUTH_METHODS } from '../../shared/ports/client-store.js';

/**
 * The algorithms of the keys the JWKS publishes, the signing key's first (the JWKS lists `current` first).
 * Read from the ring, never from `SIGNING_ALG` (S56): after that variable changes, the ring still signs with its
 * `current` key's algorithm until a rotation has made a key of the new one current.
 */
export const publishedAlgorithms = (jwks: { keys: { alg?: string | undefined }[] }): string[] => [
  ...new Set(jwks.keys.map((k) => k.alg).filter((a): a is string => typeof a === 'string')),
];

/** GET /.well-known/openid-configuration — issuer metadata (RFC 8414 / OIDC Discovery subset). */
export const createHandler = (source: JwksSource, config: Config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async () => {
    const jwks = await source.jwks().catch((cause: unknown) => {
      throw new AuthError('service_unavailable', 'Signing keys are not available yet; try again shortly.', { cause });
    });
    return {
      statusCode: 200,
      body: {
        issuer: config.ISSUER,
        jwks_uri: `${config.ISSUER}/.well-known/jwks.json`,
        // This service issues access tokens (RFC 9068) for its own API; it is not an OpenID provider, so only
        // the members a verifier needs are published.
        access_token_signing_alg_values_supported: publishedAlgorithms(jwks),
        claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'email', 'roles', 'scope', 'client_id'],
        // Machine clients (RFC 8414 §2): the client credentials grant at the token endpoint.
        token_endpoint: `${config.ISSUER}/oauth2/token`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: config.MTLS_ENDPOINT
          ? [...TOKEN_ENDPOINT_AUTH_METHODS, 'tls_client_auth']
          : TOKEN_ENDPOINT_AUTH_METHODS,
        // RFC 8705 §5: certificate-bound tokens, from the token endpoint on the mutual-TLS domain.
        ...(config.MTLS_ENDPOINT
          ? {
              tls_client_certificate_bound_access_tokens: true,
              mtls_endpoint_aliases: { token_endpoint: `${config.MTLS_ENDPOINT}/oauth2/token` },
            }
          : {}),
        token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
      },
      // As briefly as the JWKS: the list changes with a rotation.
      cacheControl: 'public, max-age=300',
      // S58: cacheable and CORS-dependent, so `Vary: Origin` always (see functions/jwks).
      headers: { Vary: 'Origin' },
    };
  });

export const handler = createHandler(getJwksSource());

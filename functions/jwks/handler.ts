import type { JwksSource } from '../../shared/ports/jwks-source.js';
import { getConfig } from '../../shared/composition/config.js';
import { getJwksSource } from '../../shared/composition/keys.js';
import { AuthError } from '../../shared/domain/errors.js';
import { httpHandler } from '../../shared/http/handler.js';

/** GET /.well-known/jwks.json — public keys (current, next, previous). Cacheable, but briefly: rotation must propagate. */
export const createHandler = (source: JwksSource, config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async () => {
    const jwks = await source.jwks().catch((cause: unknown) => {
      throw new AuthError('service_unavailable', 'Signing keys are not available yet; try again shortly.', { cause });
    });
    // S58: a shared cache must not serve the copy made for one Origin (with its CORS headers) to another,
    // and must know that from the first response, which may have come without an Origin.
    return { statusCode: 200, body: jwks, cacheControl: 'public, max-age=300', headers: { Vary: 'Origin' } };
  });

export const handler = createHandler(getJwksSource());

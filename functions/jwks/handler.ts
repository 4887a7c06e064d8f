import type { JwksSource } from '../../shared/adapters/jwks-source.js';
import { getConfig } from '../../shared/composition-config.js';
import { getJwksSource } from '../../shared/composition-keys.js';
import { AuthError } from '../../shared/errors.js';
import { httpHandler } from '../../shared/http/handler.js';

/** GET /.well-known/jwks.json — public keys (current, next, previous). Cacheable, but briefly: rotation must propagate. */
export const createHandler = (source: JwksSource, config = getConfig()) =>
  httpHandler({ methods: ['GET'], maxBodyBytes: config.MAX_BODY_BYTES }, async () => {
    const jwks = await source.jwks().catch((cause: unknown) => {
      throw new AuthError('service_unavailable', 'Signing keys are not available yet; try again shortly.', { cause });
    });
    return { statusCode: 200, body: jwks, cacheControl: 'public, max-age=300' };
  });

export const handler = createHandler(getJwksSource());

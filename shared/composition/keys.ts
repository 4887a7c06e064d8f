/**
 * Composition of the key ring, the published JWKS and the token issuer: Secrets Manager in AWS, a key-ring
 * file locally (KEY_RING_FILE). No DynamoDB here, so the JWKS function's bundle carries no DynamoDB client.
 */
import { awsClientConfig } from '../adapters/aws-client-config.js';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { JwksSource } from '../ports/jwks-source.js';
import { FileKeyRing } from '../adapters/local/file-key-ring.js';
import { SecretsManagerJwksSource, SecretsManagerKeyRing } from '../adapters/secrets-manager-key-ring.js';
import { getConfig, lazy, once, systemClock } from './config.js';
import { required } from '../config/config.js';
import { AccessTokenIssuer } from '../domain/access-token.js';
import type { KeyRing } from '../ports/key-ring.js';

const getSecrets = /* @__PURE__ */ once(() => new SecretsManagerClient(awsClientConfig('secretsManager')));
const getFileRing = /* @__PURE__ */ once(
  () =>
    new FileKeyRing(required(getConfig().KEY_RING_FILE, 'KEY_RING_FILE'), getConfig().SIGNING_ALG, {
      cacheSeconds: getConfig().KEY_RING_CACHE_SECONDS,
    }),
);

export const getKeyRing = /* @__PURE__ */ once(() =>
  lazy((): KeyRing => {
    const c = getConfig();
    if (c.KEY_RING_FILE) return getFileRing();
    return new SecretsManagerKeyRing(getSecrets(), required(c.KEY_RING_SECRET_ID, 'KEY_RING_SECRET_ID'), {
      cacheSeconds: c.KEY_RING_CACHE_SECONDS,
    });
  }),
);

export const getJwksSource = /* @__PURE__ */ once(() =>
  lazy((): JwksSource => {
    const c = getConfig();
    if (c.KEY_RING_FILE) return getFileRing();
    return new SecretsManagerJwksSource(getSecrets(), required(c.PUBLIC_KEYS_SECRET_ID, 'PUBLIC_KEYS_SECRET_ID'), {
      cacheSeconds: c.KEY_RING_CACHE_SECONDS,
    });
  }),
);

export const getIssuer = /* @__PURE__ */ once(() => {
  const c = getConfig();
  return new AccessTokenIssuer(getKeyRing(), systemClock, {
    issuer: c.ISSUER,
    audience: c.AUDIENCE,
    ttlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
  });
});

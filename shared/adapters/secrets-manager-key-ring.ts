import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { JWK } from 'jose';
import { parseRing, publicOnly } from '../domain/key-ring.js';
import type { KeyRing, KeyRingDocument } from '../ports/key-ring.js';
import type { JwksSource } from '../ports/jwks-source.js';

interface CacheOptions {
  cacheSeconds: number;
  now?: () => number;
}

/** Reads a secret's AWSCURRENT value, cached per container for `cacheSeconds`. */
class CachedSecret<T> {
  private value?: { at: number; data: Promise<T> };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly parse: (raw: string | undefined) => T,
    private readonly options: CacheOptions,
  ) {}

  get(): Promise<T> {
    const now = (this.options.now ?? Date.now)();
    if (this.value && now - this.value.at < this.options.cacheSeconds * 1000) return this.value.data;
    const data = this.client
      // Always name the stage: right after a rotation an unstaged read may still return the old version.
      .send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: 'AWSCURRENT' }))
      .then((r) => this.parse(r.SecretString));
    this.value = { at: now, data };
    data.catch(() => {
      if (this.value?.data === data) this.value = undefined;
    });
    return data;
  }
}

/** The private key ring in Secrets Manager. Only signers and the rotation function may read it (S44). */
export class SecretsManagerKeyRing implements KeyRing {
  private readonly secret: CachedSecret<KeyRingDocument>;

  constructor(client: SecretsManagerClient, secretId: string, options: CacheOptions) {
    this.secret = new CachedSecret(
      client,
      secretId,
      (raw) => {
        const ring = parseRing(raw);
        // Right after the first deploy the rotation function may not have written the ring yet.
        if (!ring) throw new Error('key ring secret does not hold a key ring yet');
        return ring;
      },
      options,
    );
  }

  load(): Promise<KeyRingDocument> {
    return this.secret.get();
  }
}

/** The public JWKS secret, written by the rotation function; the JWKS endpoint reads only this one. */
export class SecretsManagerJwksSource implements JwksSource {
  private readonly secret: CachedSecret<{ keys: JWK[] }>;

  constructor(client: SecretsManagerClient, secretId: string, options: CacheOptions) {
    this.secret = new CachedSecret(
      client,
      secretId,
      (raw) => {
        const doc = JSON.parse(raw ?? '') as { keys?: JWK[] };
        if (!Array.isArray(doc.keys)) throw new Error('public keys secret does not hold a JWKS yet');
        // Defence in depth: whatever the secret holds, only public members are ever published.
        return { keys: doc.keys.map(publicOnly) };
      },
      options,
    );
  }

  jwks() {
    return this.secret.get();
  }
}

import type { JWK } from 'jose';
import type { PublicKeySource } from '../ports/key-ring.js';
import { publicKeysByKid } from './jwks-key-source.js';

/**
 * Public keys from a JWKS object held in memory (tests, the local runner, in-process verification).
 * The same filter as the HTTP source applies: private, symmetric, kid-less and duplicated keys are ignored (S44).
 * @example const keys = new StaticKeySource(toJwks(ring));
 */
export class StaticKeySource implements PublicKeySource {
  private keys: Map<string, JWK>;

  constructor(jwks: { keys: JWK[] }) {
    this.keys = publicKeysByKid(jwks);
  }

  async getKey(kid: string): Promise<JWK | undefined> {
    return this.keys.get(kid);
  }

  /** Replaces the published keys, e.g. after a rotation in the local runner. */
  replace(jwks: { keys: JWK[] }): void {
    this.keys = publicKeysByKid(jwks);
  }
}

import type { JWK } from 'jose';

export type KeyStatus = 'next' | 'current' | 'previous';

export interface RingKey {
  kid: string;
  alg: string;
  status: KeyStatus;
  createdAt: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

export interface KeyRingDocument {
  version: 1;
  keys: RingKey[];
}

/** The private ring, for signers only. */
export interface KeyRing {
  load(): Promise<KeyRingDocument>;
}

/** Public keys, for verifiers: looked up by `kid` only, never from the token. */
export interface PublicKeySource {
  /** Returns the public JWK for `kid`, or undefined when it is not in our ring (after at most one rate-limited refetch). */
  getKey(kid: string): Promise<JWK | undefined>;
  /**
   * The key for `kid` when the source can answer at once, from a cache it holds fresh; undefined means "ask `getKey`",
   * never "no such key". Optional: it spares a verifier's warm path an await, and the source still decides expiry.
   */
  freshKey?(kid: string): JWK | undefined;
}

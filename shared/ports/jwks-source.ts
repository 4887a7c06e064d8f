import type { JWK } from 'jose';

/** Where the JWKS endpoint reads the public keys it publishes. */
export interface JwksSource {
  jwks(): Promise<{ keys: JWK[] }>;
}

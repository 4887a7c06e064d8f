/** One authorization request in flight (S34, S35, S37): created by authorize, consumed once by the callback. */
export interface OAuthTransaction {
  /** SHA-256 of `state`, hex. The raw state lives only in the provider redirect and the callback URL. */
  stateHash: string;
  /** The provider name from the authorize URL; the callback must come back on the same provider's route. */
  provider: string;
  /** The issuer the request went to (mix-up defence). */
  issuer: string;
  /** PKCE verifier; never leaves the server (S35). */
  codeVerifier: string;
  nonce: string;
  redirectTo: string;
  /** SHA-256 of the random value in the browser-binding cookie. */
  bindingHash: string;
  createdAt: number; // epoch seconds
  /** Epoch seconds; also the DynamoDB TTL attribute. */
  expiresAt: number;
}

export interface OAuthTransactionStore {
  /** Stores a new transaction (a colliding state hash throws `ConditionFailedError`). */
  create(tx: OAuthTransaction): Promise<void>;
  /**
   * Removes and returns the transaction in one conditional write, or undefined when it is unknown, already
   * consumed or expired at `nowSeconds`. Of N concurrent consumers, at most one gets it.
   */
  consume(stateHash: string, nowSeconds: number): Promise<OAuthTransaction | undefined>;
}

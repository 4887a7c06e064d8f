/** What an email link or code is for. One mechanism serves the three email flows. */
export type EmailTokenPurpose = 'magic_link' | 'verify_email' | 'password_reset';

export interface EmailTokenRecord {
  /** SHA-256 of the raw link token, hex. The raw token is never stored (S29). */
  tokenHash: string;
  purpose: EmailTokenPurpose;
  /** Canonical address the mail went to. */
  email: string;
  /** SHA-256 of `email`: the key of the per-address "latest link" pointer. */
  emailHash: string;
  /** The account, when one existed at request time (a magic link for a new address has none). */
  userId?: string;
  /** Allowlisted origin-checked URL to land on after sign-in. */
  redirectTo?: string;
  /** SHA-256 of the same-browser binding cookie set when the link was requested (S31). */
  bindingHash?: string;
  /** SHA-256 of `tokenHash:code`: the code is salted with its link, never stored in clear. */
  codeHash: string;
  createdAt: number; // epoch seconds
  /** Epoch seconds; also the DynamoDB TTL attribute. Checked at read time (S29). */
  expiresAt: number;
  /** Set once, by the one write that consumed the link. */
  usedAt?: number;
  /** Code attempts reserved so far (the link dies at the cap). */
  attempts?: number;
}

export interface EmailTokenStore {
  /**
   * Stores a new link and makes it the latest one for its address and purpose, in one transaction: older
   * unused links of that address and purpose stop working (their consume condition checks the pointer).
   */
  issue(record: EmailTokenRecord): Promise<void>;
  get(tokenHash: string): Promise<EmailTokenRecord | undefined>;
  /** The latest link for an address and purpose (for the code fallback), expired or not: the domain decides. */
  findLatest(purpose: EmailTokenPurpose, emailHash: string): Promise<EmailTokenRecord | undefined>;
  /**
   * Reserves one code attempt atomically (conditional ADD). False when the link already used `maxAttempts`
   * attempts or does not exist: concurrent guesses can never exceed the cap.
   */
  reserveCodeAttempt(tokenHash: string, maxAttempts: number): Promise<boolean>;
  /**
   * Consumes the link with one conditional write: unused, not expired at `nowSeconds`, still the latest for
   * its address, and at most `maxAttempts` code attempts reserved. Of N concurrent calls exactly one
   * succeeds; the others throw `ConditionFailedError` (S30).
   */
  consume(tokenHash: string, nowSeconds: number, maxAttempts: number): Promise<EmailTokenRecord>;
}

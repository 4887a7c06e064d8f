/** An external account: the issuer that asserted it and its subject there (S38). */
export interface OAuthIdentity {
  /** The provider's issuer identifier (e.g. `https://accounts.google.com`). */
  issuer: string;
  subject: string;
}

/**
 * The OAuth browser-binding cookie (S34): `__Host-` (so Secure, Path=/, no Domain: no sibling subdomain can set
 * or read it), HttpOnly, SameSite=Lax so that it comes back on the provider's top-level redirect to the callback,
 * and short-lived (the transaction's lifetime, ≤ 10 min).
 */
export const OAUTH_BINDING_COOKIE = '__Host-oauth_tx';

export const bindingCookie = (value: string, maxAgeSeconds: number): string =>
  `${OAUTH_BINDING_COOKIE}=${value}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=${Math.min(maxAgeSeconds, 600)}`;

export const clearBindingCookie = (): string => `${OAUTH_BINDING_COOKIE}=; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=0`;

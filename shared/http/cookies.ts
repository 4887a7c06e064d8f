/** Reads a cookie from API Gateway payload 2.0 (`event.cookies`) or a raw `Cookie` header. */
export function readCookie(cookies: string[] | undefined, header: string | undefined, name: string): string | undefined {
  const all = [...(cookies ?? []), ...(header ? header.split(';') : [])];
  for (const c of all) {
    const eq = c.indexOf('=');
    if (eq < 0) continue;
    if (c.slice(0, eq).trim() === name) {
      const v = c.slice(eq + 1).trim();
      return v.length > 0 ? v : undefined;
    }
  }
  return undefined;
}

export interface RefreshCookieOptions {
  name: string;
  maxAgeSeconds: number;
}

/**
 * The refresh cookie (S40): `__Secure-` prefix, HttpOnly, Secure, SameSite=Strict, Path=/auth, no Domain.
 * `__Host-` names must use Path=/ (the browser refuses them otherwise).
 */
export function refreshCookie(value: string, { name, maxAgeSeconds }: RefreshCookieOptions): string {
  const path = name.startsWith('__Host-') ? '/' : '/auth';
  return `${name}=${value}; HttpOnly; Secure; SameSite=Strict; Path=${path}; Max-Age=${maxAgeSeconds}`;
}

export const clearRefreshCookie = (name: string): string => refreshCookie('', { name, maxAgeSeconds: 0 });

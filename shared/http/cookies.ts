/** Reads a cookie from API Gateway payload 2.0 (`event.cookies`) or a raw `Cookie` header. */
export function readCookie(
  cookies: string[] | undefined,
  header: string | undefined,
  name: string,
): string | undefined {
  const v = readCookies(cookies, header, name)[0];
  return v !== undefined && v.length > 0 ? v : undefined;
}

/**
 * Every value the request carries for cookie `name`, in the order sent. API Gateway moves the `Cookie` header into
 * `event.cookies`, so the header is read only when that list is absent (one copy is never counted twice).
 */
export function readCookies(cookies: string[] | undefined, header: string | undefined, name: string): string[] {
  const pairs = cookies?.length ? cookies : header ? header.split(';') : [];
  const values: string[] = [];
  for (const c of pairs) {
    const eq = c.indexOf('=');
    if (eq < 0) continue;
    if (c.slice(0, eq).trim() === name) values.push(c.slice(eq + 1).trim());
  }
  return values;
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

/**
 * Set-Cookie lines that expire every copy of the refresh cookie this response can reach (S54). A tossed copy
 * comes from a sibling host with `Domain=<a parent of ours>` and often a longer `Path` (sent first, so it would
 * win); a browser only replaces a cookie with the same name, domain and path. So: our own host-only cookie, and
 * the same name with `Domain=` each parent of `host` (two labels or more; a public suffix such as `co.uk` is
 * refused by the browser, harmlessly), at our path and at the request's path.
 * @example clearRefreshCookieCopies('__Secure-refresh_token', { host: 'auth.example.com', path: '/auth/refresh' })
 */
export function clearRefreshCookieCopies(
  name: string,
  request: { host: string | undefined; path: string | undefined },
): string[] {
  const ours = clearRefreshCookie(name);
  // `__Host-` cookies cannot carry a Domain nor another Path, so no sibling can toss one.
  if (name.startsWith('__Host-')) return [ours];
  const paths = [...new Set(['/auth', ...(request.path?.startsWith('/') ? [request.path] : [])])];
  const lines = [
    ours,
    ...paths
      .filter((p) => p !== '/auth')
      .map((p) => `${name}=; HttpOnly; Secure; SameSite=Strict; Path=${p}; Max-Age=0`),
  ];
  for (const domain of parentDomains(request.host)) {
    for (const p of paths)
      lines.push(`${name}=; HttpOnly; Secure; SameSite=Strict; Domain=${domain}; Path=${p}; Max-Age=0`);
  }
  return lines;
}

const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** `a.b.example.com` → `b.example.com`, `example.com`. None for an IP address, `localhost` or anything odd. */
function parentDomains(host: string | undefined): string[] {
  const hostname = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  if (!HOSTNAME.test(hostname)) return [];
  const labels = hostname.split('.');
  const parents: string[] = [];
  for (let i = 1; i <= labels.length - 2; i++) parents.push(labels.slice(i).join('.'));
  return parents;
}

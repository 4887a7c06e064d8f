/**
 * Redirect targets (S39), the one rule for every caller (social sign-in, email links): an absolute http(s) URL
 * whose origin is exactly one of the allowlisted origins. Parsing is done by WHATWG `URL` (what browsers do), so
 * the origin we compare is the origin a browser would navigate to; anything a browser could read differently
 * (backslashes, control characters, userinfo) is refused before that comparison, and so is any target whose
 * text does not begin with the origin it parses to (`https:app.example.com/x`, `https://app.example.com:443/x`):
 * what is allowlisted is what is written, not what a parser repairs it into.
 */

/**
 * True when `url` may be used as a post-sign-in redirect.
 * @example isAllowedRedirect('https://app.example.com/home', ['https://app.example.com']) // true
 * @example isAllowedRedirect('https://app.example.com@evil.com/', ['https://app.example.com']) // false
 */
export function isAllowedRedirect(url: string | undefined, allowedOrigins: readonly string[]): url is string {
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) return false;
  // Browsers treat `\` like `/` and strip tabs/newlines: `/\evil.com` and `https:/\evil` must not slip through.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u0020\u007f]/.test(url)) return false;
  // Relative and scheme-relative (`//evil.com`) targets are refused: the allowlist names absolute origins.
  if (!/^https?:\/\//i.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  // `https://app.example.com@evil.com` has userinfo: the host is evil.com, and users misread it.
  if (parsed.username !== '' || parsed.password !== '') return false;
  // The raw string must start with the origin it parses to (catches encoded or odd authority forms).
  if (!url.toLowerCase().startsWith(parsed.origin.toLowerCase())) return false;
  const next = url.charAt(parsed.origin.length);
  if (next !== '' && next !== '/' && next !== '?' && next !== '#') return false;
  return allowedOrigins.includes(parsed.origin);
}

/** `redirectTo` with `error=<code>` added to its query (the page the user returns to reads it). */
export function withError(redirectTo: string, code: string): string {
  const u = new URL(redirectTo);
  u.searchParams.set('error', code);
  return u.toString();
}

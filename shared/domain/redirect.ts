/**
 * Redirect targets (S39): an absolute http(s) URL whose origin is exactly one of the allowlisted origins.
 * Parsing is done by the WHATWG URL parser (what browsers use), then `.origin` is compared as a whole string,
 * so look-alikes (`https://app.example.com.evil`, `https://app@evil`), scheme-relative (`//evil`), backslash
 * (`/\evil`) and `javascript:` targets never match. Credentials in the URL are refused outright.
 * @example isAllowedRedirect('https://app.example.com/home', ['https://app.example.com']) // true
 */
export function isAllowedRedirect(target: string, allowedOrigins: readonly string[]): boolean {
  if (target.length > 2048) return false;
  // Control characters and whitespace are stripped by the URL parser; a target that contains any is refused.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]/u.test(target)) return false;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false; // relative targets (`/x`, `//evil`) have no base here: refused
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username !== '' || url.password !== '') return false;
  return allowedOrigins.includes(url.origin);
}

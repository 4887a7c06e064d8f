/**
 * OAuth scope strings (RFC 6749 §3.3): space-delimited, each token from `%x21 / %x23-5B / %x5D-7E` (no space,
 * quote or backslash).
 */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/** The tokens of a `scope` parameter, or undefined when one of them is not a scope token. */
export function parseScope(scope: string): string[] | undefined {
  const tokens = scope.split(' ').filter((t) => t !== '');
  return tokens.every((t) => SCOPE_TOKEN.test(t)) ? [...new Set(tokens)] : undefined;
}

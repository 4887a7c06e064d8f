import { readFileSync } from 'node:fs';

/**
 * The common-password list shipped by `@zxcvbn-ts/language-common` (~49k entries from breach corpora, S6), as
 * `common-passwords.txt` beside this module (beside `index.mjs` in a bundle, copied there by `functionBundling`'s
 * `dataFiles`): lower case, deduplicated, sorted, one word a line (infra/bundling/common-passwords-list.mjs writes
 * it; test/unit/common-passwords.test.ts proves it answers as the package's list does, word for word). No network.
 *
 * Off the cold path: importing this module reads nothing. The first check reads the file (~380 KB, one string)
 * and every check binary-searches that string in place, so nothing parses the list, decompresses it or builds a
 * Set of 49k strings at import or on a function's first request.
 */
let list: string | undefined;

/** Whether `word` is a line of the sorted list: a binary search over line starts, ~16 steps. */
function listed(word: string): boolean {
  // Resolved here, not at module level, so a bundle that never checks a new password (login) drops the file name.
  const text = (list ??= readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8').replace(/\n$/, ''));
  // lo and hi are always line starts; the line holding `mid` is compared and the half without it dropped.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = mid === 0 ? 0 : text.lastIndexOf('\n', mid - 1) + 1;
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end);
    if (line === word) return true;
    if (line < word) lo = end + 1;
    else hi = start;
  }
  return false;
}

/**
 * True when the password (or its lower-case form) is in the common-password list. A common password repeated
 * ("passwordpassword") or padded with one repeated character is no stronger.
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (listed(lower)) return true;
  const unit = /^(.+?)\1+$/u.exec(lower)?.[1];
  if (unit !== undefined && (listed(unit) || [...unit].length <= 3)) return true;
  return false;
}

// Writes shared/domain/common-passwords.txt: the common-password list of `@zxcvbn-ts/language-common` (S6), in
// lower case, deduplicated and sorted by UTF-16 code unit (JavaScript's default sort, the order `<` compares
// in), one word a line. shared/domain/common-passwords.ts binary-searches that text in place, read on the first
// check, so no function parses the list at import and none builds a Set of 49k strings on its first request.
// test/unit/common-passwords.test.ts fails when the file and the package's list disagree: then run
//
//   node infra/bundling/common-passwords-list.mjs
import { writeFileSync } from 'node:fs';
import { dictionary } from '@zxcvbn-ts/language-common';

export const COMMON_PASSWORDS_FILE = new URL('../../shared/domain/common-passwords.txt', import.meta.url);

/** The file's text for a word list. */
export function commonPasswordsText(words) {
  const sorted = [...new Set(words.map((w) => w.toLowerCase()))].sort();
  if (sorted.some((w) => w === '' || w.includes('\n'))) throw new Error('a word is empty or spans lines');
  return `${sorted.join('\n')}\n`;
}

if (import.meta.url === new URL(process.argv[1] ?? '', 'file:').href) {
  writeFileSync(COMMON_PASSWORDS_FILE, commonPasswordsText(dictionary['passwords-common']));
}

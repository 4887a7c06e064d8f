/**
 * S6: the common-password check reads a sorted text file on first use instead of parsing the package's list at
 * import (issue 16). It must answer exactly as the package's list does: for every word of the list, for the
 * list's words in other cases and repeated, and for words that are not on it.
 */
import { readFileSync } from 'node:fs';
import { dictionary } from '@zxcvbn-ts/language-common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS_FILE, commonPasswordsText } from '../../infra/bundling/common-passwords-list.mjs';
import { isCommonPassword } from '../../shared/domain/common-passwords.js';

const WORDS = dictionary['passwords-common'];

/** The check as it was: a Set of the package's list, in lower case. */
const ORIGINAL = new Set(WORDS.map((p) => p.toLowerCase()));
function originalIsCommon(password: string): boolean {
  const lower = password.toLowerCase();
  if (ORIGINAL.has(lower)) return true;
  const unit = /^(.+?)\1+$/u.exec(lower)?.[1];
  return unit !== undefined && (ORIGINAL.has(unit) || [...unit].length <= 3);
}

describe('common-password list (S6)', () => {
  it('S6: the shipped file is the package’s list, sorted and deduplicated (regenerate: node infra/bundling/common-passwords-list.mjs)', () => {
    expect(WORDS.length).toBeGreaterThan(40_000);
    expect(readFileSync(COMMON_PASSWORDS_FILE, 'utf8')).toBe(commonPasswordsText(WORDS));
  });

  it('S6: every word of the list is refused, as the original check refused it', () => {
    const missed = WORDS.filter((w) => !isCommonPassword(w));
    expect(missed).toEqual([]);
    expect(WORDS.every((w) => originalIsCommon(w))).toBe(true);
  });

  it('S6: the list’s words upper-cased, repeated or with a suffix get the original check’s answer', () => {
    const differ: string[] = [];
    for (const [i, w] of WORDS.entries()) {
      const variants = [w.toUpperCase(), w + w, `${w}${w}${w}`, `${w}x`, `x${w}`, `${w}!9`, w.slice(0, -1), `${w}\n`];
      if (i % 7 === 0) variants.push(`${w}${WORDS[(i * 31) % WORDS.length]}`);
      for (const v of variants) if (isCommonPassword(v) !== originalIsCommon(v)) differ.push(v);
    }
    expect(differ).toEqual([]);
  });

  it('S6: words not on the list pass, including ones that sort before the first and after the last entry', () => {
    for (const w of [
      '',
      ' ',
      '\u0000',
      '~~~~~~~~~~~~~~~~~~~~~~',
      'correct horse battery staple',
      'Zürich-Spätzle-1987',
    ]) {
      expect(isCommonPassword(w), JSON.stringify(w)).toBe(originalIsCommon(w));
    }
    expect(isCommonPassword('correct horse battery staple')).toBe(false);
    expect(isCommonPassword('PassWord')).toBe(true);
  });

  it('S6: any string gets the original check’s answer', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom(...WORDS.slice(0, 2000))),
        (s) => {
          expect(isCommonPassword(s)).toBe(originalIsCommon(s));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

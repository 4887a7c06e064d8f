import { describe, expect, it } from 'vitest';
import { canonicalizeEmail } from '../../shared/domain/email.js';
import { checkNewPassword, normalizePassword } from '../../shared/domain/password-policy.js';
import { AuthError } from '../../shared/domain/errors.js';

const policy = { minLength: 15, maxLength: 256 };
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return e instanceof AuthError ? e.code : String(e);
  }
};

describe('Function: checkNewPassword', () => {
  it('S5: counts code points after NFKC, accepts 64 and refuses over the maximum without truncating', () => {
    // 14 code points but 15 UTF-16 units: too short; one more code point is enough.
    expect(code(() => checkNewPassword('🔑purplemonkeyd', policy))).toBe('weak_password');
    expect(code(() => checkNewPassword('🔑purplemonkeydi', policy))).toBe('ok');
    expect(code(() => checkNewPassword('a b c d e f g h'.slice(0, 14), policy))).toBe('weak_password');
    expect(code(() => checkNewPassword('q'.repeat(30) + 'w'.repeat(34), policy))).toBe('ok');
    expect(code(() => checkNewPassword('q'.repeat(150) + 'w'.repeat(107), policy))).toBe('weak_password');
    expect(normalizePassword('ｐａｓｓ', policy)).toBe('pass');
  });

  it('S5: no composition rules: a lower-case passphrase is fine', () => {
    expect(code(() => checkNewPassword('purple monkey dishwasher lamp', policy))).toBe('ok');
  });

  it('S6: refuses entries of the shipped common-password list and trivial repetitions', () => {
    for (const p of [
      '1234567890',
      'iloveyouiloveyou',
      'passwordpassword',
      'zzzzzzzzzzzzzzzzzzzzz',
      'abcabcabcabcabcabc',
    ]) {
      expect(code(() => checkNewPassword(p, { ...policy, minLength: 8 }))).toBe('weak_password');
    }
  });
});

describe('Function: canonicalizeEmail', () => {
  it('S48: trims, NFKC-normalises and lower-cases', () => {
    expect(canonicalizeEmail('  Alice@EXAMPLE.com ')).toBe('alice@example.com');
    expect(canonicalizeEmail('ａｌｉｃｅ@example.com')).toBe('alice@example.com');
  });

  it('S48: converts an internationalised domain to ASCII so look-alikes stay distinct', () => {
    expect(canonicalizeEmail('bob@bücher.example')).toBe('bob@xn--bcher-kva.example');
    expect(canonicalizeEmail('bob@еxample.com')).not.toBe('bob@example.com');
  });

  it('S48: refuses CR/LF, missing parts and non-ASCII local parts', () => {
    for (const e of ['a@b.com\r\nBcc: x@y.z', 'no-at-sign', '@example.com', 'a@', 'а@example.com', 'a@localhost']) {
      expect(code(() => canonicalizeEmail(e))).toBe('invalid_request');
    }
  });
});

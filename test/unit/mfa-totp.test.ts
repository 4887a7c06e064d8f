/** TOTP (RFC 6238) against the RFC's own vectors, the ±1 step window and replay refusal; sealing at rest (S60, S62). */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { describe, expect, it } from 'vitest';
import { newRecoveryCodes, recoveryCodeHash } from '../../shared/domain/mfa/recovery-codes.js';
import { createSecretBox } from '../../shared/domain/mfa/secret-box.js';
import { matchTotp, totpCode, totpEnrolment, totpStep } from '../../shared/domain/mfa/totp.js';

// RFC 6238 Appendix B, SHA-1 rows: the seed is the ASCII string "12345678901234567890", 8 digits.
const RFC_KEY = new TextEncoder().encode('12345678901234567890');
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('S60: T=%i gives the RFC code %s', (t, code) => {
    expect(totpCode(RFC_KEY, totpStep(t), 8)).toBe(code);
  });

  it('S60: 6-digit codes are the last 6 digits of the RFC values (same truncation)', () => {
    expect(totpCode(RFC_KEY, totpStep(59))).toBe('287082');
  });

  it('S60: accepts ±1 step of skew and nothing further; reports the step that matched', () => {
    const t = 1_700_000_015;
    const step = totpStep(t);
    for (const offset of [-1, 0, 1])
      expect(matchTotp(RFC_KEY, totpCode(RFC_KEY, step + offset), t)).toBe(step + offset);
    for (const offset of [-2, 2]) expect(matchTotp(RFC_KEY, totpCode(RFC_KEY, step + offset), t)).toBeUndefined();
    expect(matchTotp(RFC_KEY, '12345', t)).toBeUndefined();
    expect(matchTotp(RFC_KEY, 'abcdef', t)).toBeUndefined();
  });

  it('S60: a step at or before the last used one is refused (replay)', () => {
    const t = 1_700_000_015;
    const step = totpStep(t);
    const code = totpCode(RFC_KEY, step);
    expect(matchTotp(RFC_KEY, code, t, step)).toBeUndefined();
    expect(matchTotp(RFC_KEY, totpCode(RFC_KEY, step - 1), t, step - 1)).toBeUndefined();
    expect(matchTotp(RFC_KEY, code, t, step - 1)).toBe(step);
  });

  it('S60: the enrolment secret is the key in base32 and the URI carries it with the RFC parameters', () => {
    const { secret, otpauthUri } = totpEnrolment(RFC_KEY, 'auth.example.com', 'a@example.com');
    expect(decodeBase32IgnorePadding(secret)).toEqual(RFC_KEY);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.searchParams.get('digits')).toBe('6');
  });
});

describe('Secret box (AES-256-GCM under a data key)', () => {
  const box = createSecretBox(async () => ({ current: 'k2', k1: 'old key material', k2: 'new key material' }));

  it('S60: seals under the current key id, opens only with the same context, never holds the key in clear', async () => {
    const sealed = await box.seal(RFC_KEY, 'user-1:factor-1');
    expect(sealed.split('.')[1]).toBe('k2');
    expect(sealed).not.toContain(Buffer.from(RFC_KEY).toString('base64url'));
    expect(await box.open(sealed, 'user-1:factor-1')).toEqual(RFC_KEY);
    await expect(box.open(sealed, 'user-2:factor-1')).rejects.toThrow();
    const [v, kid, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    await expect(
      box.open([v, kid, iv, flipped.toString('base64url'), tag].join('.'), 'user-1:factor-1'),
    ).rejects.toThrow();
  });

  it('S60: a secret sealed under an older key id still opens after rotation', async () => {
    const before = createSecretBox(async () => ({ current: 'k1', k1: 'old key material' }));
    const sealed = await before.seal(RFC_KEY, 'u:f');
    expect(await box.open(sealed, 'u:f')).toEqual(RFC_KEY);
  });
});

describe('Recovery codes', () => {
  it('S62: 10 distinct codes of 60 bits, stored only as hashes that ignore case and dashes', () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/); // 12 × 5 bits
    expect(hashes.some((h, i) => h.includes(codes[i].replace(/-/g, '')))).toBe(false);
    expect(recoveryCodeHash(codes[0].toLowerCase().replace(/-/g, ' '))).toBe(hashes[0]);
  });
});

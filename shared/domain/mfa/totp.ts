/**
 * TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, ±1 step of skew (S60). The HOTP arithmetic is
 * `@oslojs/otp`'s (a maintained implementation); this module only maps time to steps, so the caller learns *which*
 * step matched and can store it: that stored step is what refuses a code presented twice.
 */
import { encodeBase32NoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { timingSafeEqual } from 'node:crypto';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 6238 §5.2: one step either side covers clock drift and the time it takes to type a code. */
const SKEW_STEPS = 1;

/** The RFC 6238 time step of `epochSeconds` (T0 = 0). */
export const totpStep = (epochSeconds: number) => Math.floor(epochSeconds / TOTP_PERIOD_SECONDS);

/** The code of one step; `digits` is 8 only for the RFC's test vectors. */
export const totpCode = (key: Uint8Array, step: number, digits = TOTP_DIGITS) =>
  generateHOTP(key, BigInt(step), digits);

/**
 * The step within ±1 of now whose code is `code`, or undefined. Steps at or before `lastUsedStep` never match:
 * a code that was accepted once (or an older one) is refused.
 * @example const step = matchTotp(key, '123456', Date.now() / 1000, factor.lastStep);
 */
export function matchTotp(key: Uint8Array, code: string, epochSeconds: number, lastUsedStep = -1): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const now = totpStep(epochSeconds);
  let matched: number | undefined;
  // Every candidate is compared (no early exit), so timing does not say which step matched.
  for (let step = now - SKEW_STEPS; step <= now + SKEW_STEPS; step++) {
    const ok = timingSafeEqual(Buffer.from(totpCode(key, step)), Buffer.from(code));
    if (ok && step > lastUsedStep && matched === undefined) matched = step;
  }
  return matched;
}

/** The base32 form authenticator apps take, and the `otpauth://` URI a QR code carries. */
export function totpEnrolment(key: Uint8Array, issuer: string, accountName: string) {
  return {
    secret: encodeBase32NoPadding(key),
    otpauthUri: createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS),
  };
}

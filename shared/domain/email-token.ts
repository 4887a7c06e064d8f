import { randomInt } from 'node:crypto';
import { AuthError, ConditionFailedError } from './errors.js';
import { securityEvent } from '../observability/log.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import type { EmailTokenPurpose, EmailTokenRecord, EmailTokenStore } from '../ports/email-token-store.js';
import { canonicalizeEmail } from './email.js';
import { constantTimeEqual, newOpaqueToken, sha256Hex } from './secrets.js';

export interface EmailTokenOptions {
  /** Lifetime of a link and its code (S29). */
  ttlSeconds: number;
  /** Wrong codes a link survives; the next one kills it (S30). */
  maxCodeAttempts: number;
}

export interface EmailTokenDeps {
  clock: Clock;
  emailTokens: EmailTokenStore;
  emailToken: EmailTokenOptions;
}

const PREFIX: Record<EmailTokenPurpose, string> = { magic_link: 'ml', verify_email: 've', password_reset: 'pr' };
const TOKEN_BODY = /^[A-Za-z0-9_-]{43}$/;
/** Digits of the fallback code: 10^8 codes against a cap of a few attempts per link. */
export const CODE_DIGITS = 8;
const CODE = new RegExp(`^\\d{${CODE_DIGITS}}$`);

export interface IssuedEmailToken {
  /** The raw link token (≥ 256 random bits): it goes into the mail, never into a store or a log. */
  token: string;
  /** The raw fallback code: same. */
  code: string;
  record: EmailTokenRecord;
}

/** A redemption: the link's token, or the address plus the code from the same mail. */
export type Redemption = { token: string } | { email: string; code: string };

const invalidToken = () => new AuthError('invalid_token', 'This link or code is invalid, already used or expired.');
const codeHash = (tokenHash: string, code: string) => sha256Hex(`${tokenHash}:${code}`);

/**
 * Creates a link (token + code) for `email` and makes it the only live one for that address and purpose.
 * @example const { token, code } = await issueEmailToken(deps, { purpose: 'magic_link', email });
 */
export async function issueEmailToken(
  deps: EmailTokenDeps,
  input: { purpose: EmailTokenPurpose; email: string; userId?: string; redirectTo?: string; bindingHash?: string },
): Promise<IssuedEmailToken> {
  const token = newOpaqueToken(PREFIX[input.purpose]);
  const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
  const now = nowSeconds(deps.clock);
  const tokenHash = sha256Hex(token);
  const record: EmailTokenRecord = {
    tokenHash,
    purpose: input.purpose,
    email: input.email,
    emailHash: sha256Hex(input.email),
    codeHash: codeHash(tokenHash, code),
    createdAt: now,
    expiresAt: now + deps.emailToken.ttlSeconds,
  };
  if (input.userId !== undefined) record.userId = input.userId;
  if (input.redirectTo !== undefined) record.redirectTo = input.redirectTo;
  if (input.bindingHash !== undefined) record.bindingHash = input.bindingHash;
  await deps.emailTokens.issue(record);
  return { token, code, record };
}

/** True when `raw` has the shape of a token of `purpose` (cheap check before any lookup). */
export const isEmailToken = (purpose: EmailTokenPurpose, raw: string | undefined): raw is string =>
  typeof raw === 'string' && raw.startsWith(`${PREFIX[purpose]}_`) && TOKEN_BODY.test(raw.slice(3));

/**
 * Reads a link without consuming it (the landing page's GET, S31): the record when it is live (unused,
 * unexpired at read time), else undefined.
 */
export async function peekEmailToken(
  deps: EmailTokenDeps,
  purpose: EmailTokenPurpose,
  raw: string | undefined,
): Promise<EmailTokenRecord | undefined> {
  if (!isEmailToken(purpose, raw)) return undefined;
  const record = await deps.emailTokens.get(sha256Hex(raw));
  if (
    !record ||
    record.purpose !== purpose ||
    record.usedAt !== undefined ||
    record.expiresAt <= nowSeconds(deps.clock)
  )
    return undefined;
  return record;
}

/**
 * Consumes a link exactly once, by its token or by address + code (S30). Unknown, used, expired, superseded
 * and wrong-code redemptions all answer `401 invalid_token`. A code attempt is reserved atomically before
 * the code is compared, so no burst of guesses gets past the cap; at the cap the link dies, token included.
 */
export async function redeemEmailToken(
  deps: EmailTokenDeps,
  purpose: EmailTokenPurpose,
  input: Redemption,
): Promise<EmailTokenRecord> {
  const now = nowSeconds(deps.clock);
  const max = deps.emailToken.maxCodeAttempts;
  let tokenHash: string;
  let ceiling: number;
  if ('token' in input) {
    if (!isEmailToken(purpose, input.token)) throw invalidToken();
    tokenHash = sha256Hex(input.token);
    const record = await deps.emailTokens.get(tokenHash);
    if (!record || record.purpose !== purpose) throw invalidToken();
    // The token path is refused once the code cap is reached: a link whose code was being guessed is dead.
    ceiling = max - 1;
  } else {
    const email = canonicalizeEmail(input.email);
    if (!CODE.test(input.code)) throw invalidToken();
    const record = await deps.emailTokens.findLatest(purpose, sha256Hex(email));
    if (!record || record.usedAt !== undefined || record.expiresAt <= now) throw invalidToken();
    if (!(await deps.emailTokens.reserveCodeAttempt(record.tokenHash, max))) throw invalidToken();
    if (!constantTimeEqual(record.codeHash, codeHash(record.tokenHash, input.code))) {
      securityEvent('email_code_failed', { purpose, userId: record.userId });
      throw invalidToken();
    }
    tokenHash = record.tokenHash;
    ceiling = max;
  }
  try {
    return await deps.emailTokens.consume(tokenHash, now, ceiling);
  } catch (e) {
    if (e instanceof ConditionFailedError) throw invalidToken();
    throw e;
  }
}

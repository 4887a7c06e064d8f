/**
 * Enrolling an authenticator app (S60): a 160-bit secret from the CSPRNG, sealed before it is stored, pending
 * until its first correct code. Confirming starts a fresh session whose `amr` has `mfa` (S64) and hands out the
 * recovery codes, once (S62).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sha256Hex } from '../secrets.js';
import { accountDisabled, AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import { nowSeconds } from '../../ports/clock.js';
import { startSession, type SessionTokens } from '../session.js';
import type { MfaDeps } from './deps.js';
import { newRecoveryCodes } from './recovery-codes.js';
import { matchTotp, totpEnrolment } from './totp.js';
import { accountLimitKey, invalidToken, tooMany } from './verify.js';
import { hasConfirmedFactor } from './challenge.js';
import { requireRecentMfa } from './manage.js';

/** Who is enrolling: the caller of a Bearer route (or, under MFA_POLICY=required, of an enrolment `mfaToken`). */
export interface MfaCaller {
  userId: string;
  email?: string;
  amr: string[];
  authTime?: number;
  /** Set when the caller is an enrolment `mfaToken` (MFA_POLICY=required): confirming consumes it. */
  enrolmentTokenHash?: string;
}

/** RFC 4226 §4 recommends 160 bits, the size of an HMAC-SHA-1 key. */
const SECRET_BYTES = 20;
/** Pending factors a user may hold at once: enough for a retry on another phone, not a storage sink. */
const MAX_PENDING = 5;

/**
 * MFA_POLICY=required (S59): the enrolment `mfaToken` a first factor answered with, as the caller of the two
 * enrolment routes — its account, its first factor as `amr`, no `mfa`. Each use spends one of the token's attempts;
 * a sign-in token, a used, expired or unknown one is `401 invalid_token`.
 */
export async function enrolmentCaller(deps: MfaDeps, mfaToken: string): Promise<MfaCaller> {
  const now = nowSeconds(deps.clock);
  const tokenHash = sha256Hex(mfaToken);
  const reserved = await deps.challenges.reserveAttempt(tokenHash, deps.limits.maxAttemptsPerToken, now);
  if (reserved.kind === 'exhausted') {
    securityEvent('mfa_locked', { scope: 'token', purpose: 'enrol' });
    throw tooMany(deps.limits.tokenTtlSeconds);
  }
  if (reserved.kind === 'invalid' || reserved.challenge.purpose !== 'enrol') throw invalidToken();
  const { userId, firstFactor, createdAt } = reserved.challenge;
  const user = await deps.users.findById(userId);
  if (!user) throw invalidToken();
  if (user.disabled) throw accountDisabled();
  return { userId, email: user.email, amr: [firstFactor], authTime: createdAt, enrolmentTokenHash: tokenHash };
}

export async function startTotpEnrolment(
  deps: MfaDeps,
  caller: MfaCaller,
): Promise<{ factorId: string; secret: string; otpauthUri: string }> {
  const existing = await deps.mfa.get(caller.userId);
  // A second authenticator would let whoever holds it pass the account's MFA: only a session that recently passed
  // the first one may add it (S63), or a stolen pre-MFA session could plant its own.
  if (hasConfirmedFactor(existing))
    requireRecentMfa({ clock: deps.clock, recentSeconds: deps.limits.recentSeconds }, caller);
  if ((existing?.factors.filter((f) => !f.confirmed).length ?? 0) >= MAX_PENDING) {
    throw new AuthError('too_many_attempts', 'Too many authenticators are waiting for their first code.', {
      headers: { 'Retry-After': '60' },
    });
  }
  const key = randomBytes(SECRET_BYTES);
  const factorId = randomUUID();
  await deps.mfa.addTotp(caller.userId, {
    id: factorId,
    type: 'totp',
    sealedSecret: await deps.secrets.seal(key, `${caller.userId}:${factorId}`),
    confirmed: false,
    createdAt: nowSeconds(deps.clock),
  });
  return { factorId, ...totpEnrolment(key, deps.totpIssuer, caller.email ?? caller.userId) };
}

export async function confirmTotpEnrolment(
  deps: MfaDeps,
  caller: MfaCaller,
  input: { factorId: string; code: string },
): Promise<SessionTokens & { recoveryCodes: string[] }> {
  const now = nowSeconds(deps.clock);
  const account = await deps.limiter.consume(
    accountLimitKey(caller.userId),
    deps.limits.maxAttemptsPerAccount,
    deps.limits.windowSeconds,
  );
  if (!account.allowed) {
    securityEvent('mfa_locked', { userId: caller.userId, scope: 'account' });
    throw new AuthError('too_many_attempts', 'Too many attempts. Try again later.', {
      headers: { 'Retry-After': String(Math.max(1, account.retryAfterSeconds)) },
    });
  }
  const [credentials, user] = await Promise.all([deps.mfa.get(caller.userId), deps.users.findById(caller.userId)]);
  const factor = credentials?.factors.find((f) => f.id === input.factorId && !f.confirmed);
  const invalid = () => new AuthError('invalid_code', 'The code is not correct.');
  if (!factor || !user) throw invalid();
  if (user.disabled) throw accountDisabled();
  const key = await deps.secrets.open(factor.sealedSecret, `${caller.userId}:${factor.id}`);
  const step = matchTotp(key, input.code, now);
  // An enrolment mfaToken is single use (S66): the right code spends it, before the factor is confirmed.
  if (
    step !== undefined &&
    caller.enrolmentTokenHash &&
    !(await deps.challenges.consume(caller.enrolmentTokenHash, now))
  )
    throw invalidToken();
  const { codes, hashes } = newRecoveryCodes();
  if (step === undefined || !(await confirmed(deps, caller.userId, factor.id, step, now, hashes))) {
    securityEvent('mfa_failed', { userId: caller.userId, method: 'totp', purpose: 'enrol' });
    throw invalid();
  }
  await deps.limiter.reset(accountLimitKey(caller.userId), deps.limits.windowSeconds);
  securityEvent('mfa_enrolled', { userId: caller.userId, factorId: factor.id, type: 'totp' });
  const amr = [...new Set([...caller.amr.filter((a) => a !== 'mfa'), 'mfa'])];
  const { familyId: _familyId, ...tokens } = await startSession(deps, user, amr, now);
  return { ...tokens, recoveryCodes: codes };
}

/**
 * Confirms the factor at `step` with these recovery codes. A lost answer makes the SDK send the write again, which
 * then fails its own condition: when the stored factor holds exactly this write (confirmed at this step, with these
 * codes), it was ours, not a second use (S83).
 */
async function confirmed(
  deps: MfaDeps,
  userId: string,
  factorId: string,
  step: number,
  now: number,
  hashes: string[],
): Promise<boolean> {
  if (await deps.mfa.confirmTotp(userId, factorId, step, now, hashes)) return true;
  const stored = await deps.mfa.get(userId);
  const factor = stored?.factors.find((f) => f.id === factorId);
  const sameCodes =
    stored !== undefined &&
    stored.recoveryCodeHashes.length === hashes.length &&
    hashes.every((h) => stored.recoveryCodeHashes.includes(h));
  return factor?.confirmed === true && factor.lastStep === step && sameCodes;
}

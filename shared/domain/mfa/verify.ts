/**
 * `POST /auth/mfa/verify`: finishes a sign-in that a first factor started (S59). Attempts are reserved before any
 * code is checked, per `mfaToken` and per account across methods (S61); an accepted TOTP step or recovery code is
 * spent by a conditional write (S60, S62); the token is spent once (S66). Only then does the session start, with
 * `amr` = the first factor plus `mfa` and `auth_time` = now (S64).
 */
import { accountDisabled, AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import { AtomicPartFailedError, type AtomicPart } from '../../ports/atomic-part.js';
import type { MfaChallenge, TotpFactor } from '../../ports/mfa-store.js';
import { sha256Hex } from '../secrets.js';
import { nowSeconds } from '../../ports/clock.js';
import { startSession, type SessionTokens } from '../session.js';
import { noCredentials, type MfaMethod } from './challenge.js';
import type { MfaDeps } from './deps.js';
import { recoveryCodeHash } from './recovery-codes.js';
import { matchTotp } from './totp.js';
import { verifySecondFactor } from '../passkeys/second-factor.js';
import { reportCounterRegression } from '../passkeys/assertion.js';

export interface VerifyMfaInput {
  mfaToken: string;
  method: MfaMethod;
  code?: string;
  /** `webauthn`: the assertion (AuthenticationResponseJSON) answering `POST /auth/mfa/webauthn/options`. */
  response?: unknown;
}

export const invalidToken = () =>
  new AuthError('invalid_token', 'This sign-in step has expired or was already used; sign in again.');
const invalidCode = () => new AuthError('invalid_code', 'The code is not correct.');
export const tooMany = (retryAfter: number) =>
  new AuthError('too_many_attempts', 'Too many attempts. Try again later.', {
    headers: { 'Retry-After': String(Math.max(1, retryAfter)) },
  });

/** One counter per account across every second-factor method (S61), shared with enrolment. */
export const accountLimitKey = (userId: string) => `mfa:account:${userId}`;

/** @example const tokens = await verifyMfa(deps, { mfaToken, method: 'totp', code: '123456' }); */
export async function verifyMfa(deps: MfaDeps, input: VerifyMfaInput): Promise<SessionTokens> {
  if (input.method === 'webauthn' && (!deps.webauthn || input.response === undefined)) {
    throw new AuthError('invalid_request', 'response: is required for method webauthn');
  }
  if (input.method !== 'webauthn' && !input.code) {
    throw new AuthError('invalid_request', 'code: is required for this method');
  }
  const now = nowSeconds(deps.clock);
  const tokenHash = sha256Hex(input.mfaToken);
  const reserved = await deps.challenges.reserveAttempt(tokenHash, deps.limits.maxAttemptsPerToken, now);
  if (reserved.kind === 'invalid') throw invalidToken();
  if (reserved.kind === 'exhausted') {
    securityEvent('mfa_locked', { scope: 'token' });
    // This token is dead for good; the retry is a new sign-in, possible at once, but not with this token.
    throw tooMany(deps.limits.tokenTtlSeconds);
  }
  const challenge = reserved.challenge;
  if (challenge.purpose !== 'sign_in') throw invalidToken();

  // The account counter is reserved before the code is checked: the right code is refused while locked (S61).
  // What the code is checked against comes with the challenge (the funnel's read), so nothing else is read.
  const [account, read] = await Promise.all([
    deps.limiter.consume(
      accountLimitKey(challenge.userId),
      deps.limits.maxAttemptsPerAccount,
      deps.limits.windowSeconds,
    ),
    challenge.snapshot ? undefined : readAccount(deps, challenge.userId),
  ]);
  if (!account.allowed) {
    securityEvent('mfa_locked', { userId: challenge.userId, scope: 'account' });
    throw tooMany(account.retryAfterSeconds);
  }
  const snapshot = challenge.snapshot ?? read;
  if (!snapshot) throw invalidToken();

  // Each method is spent by a conditional write in the session's transaction: a TOTP step or a recovery code (S60,
  // S62), or a passkey's counter moved forward (S69) once the passkey path has checked its assertion.
  const code = input.code ?? '';
  const passkey =
    input.method === 'webauthn'
      ? await verifySecondFactor(deps.webauthn!, challenge.userId, tokenHash, input.response)
      : undefined;
  const spend =
    input.method === 'webauthn'
      ? passkey?.part
      : input.method === 'totp'
        ? await totpPart(deps, challenge, snapshot.credentials.factors, code, now)
        : recoveryCodePart(deps, challenge.userId, snapshot.credentials.recoveryCodeHashes, code);
  if (!spend) {
    securityEvent('mfa_failed', { userId: challenge.userId, method: input.method });
    throw invalidCode();
  }
  // One transaction (S60, S62, S66): the step or code is spent, the token is spent, the account is still enabled, and
  // (as for passwords) its counter is cleared so a user's own typos do not add up to a lock — with the session, or
  // none of it.
  const user = { id: challenge.userId, ...snapshot.user };
  let tokens: SessionTokens;
  try {
    const { familyId: _familyId, ...session } = await startSession(deps, user, [challenge.firstFactor, 'mfa'], now, [
      ...(spend ? [spend] : []),
      deps.challenges.consumePart(tokenHash, now),
      deps.users.enabledPart(challenge.userId),
      deps.limiter.resetPart(accountLimitKey(challenge.userId), deps.limits.windowSeconds),
    ]);
    tokens = session;
  } catch (e) {
    if (!(e instanceof AtomicPartFailedError)) throw e;
    if (e.failure === 'account_disabled') throw accountDisabled();
    if (e.failure === 'invalid_passkey' && passkey) {
      reportCounterRegression(passkey.passkey, passkey.newCounter);
      securityEvent('mfa_failed', { userId: challenge.userId, method: input.method, reason: 'counter' });
      throw invalidCode();
    }
    if (e.failure === 'invalid_code') {
      // Replayed (this step or code was spent meanwhile, S60/S62), or the factor was removed.
      securityEvent('mfa_failed', { userId: challenge.userId, method: input.method, reason: 'spent' });
      throw invalidCode();
    }
    throw invalidToken();
  }
  if (input.method === 'recovery_code') securityEvent('mfa_recovery_code_used', { userId: user.id });
  if (passkey) securityEvent('passkey_used', { userId: user.id, passkeyId: passkey.passkey.id, as: 'second_factor' });
  securityEvent('mfa_verified', { userId: user.id, method: input.method, firstFactor: challenge.firstFactor });
  securityEvent('login_success', { userId: user.id, method: challenge.firstFactor, mfa: input.method });
  return tokens;
}

/** A challenge without a snapshot (issued before snapshots existed): the account and its factors, read now. */
async function readAccount(deps: MfaDeps, userId: string): Promise<MfaChallenge['snapshot']> {
  const [user, credentials] = await Promise.all([deps.users.findById(userId), deps.mfa.get(userId)]);
  if (!user) return undefined;
  return {
    user: { email: user.email, emailVerified: user.emailVerified === true, roles: user.roles },
    // A passkey-only account has no MFA item: only `webauthn` can finish its challenge.
    credentials: credentials ?? noCredentials(userId),
  };
}

function recoveryCodePart(deps: MfaDeps, userId: string, hashes: string[], code: string): AtomicPart | undefined {
  const hash = recoveryCodeHash(code);
  return hashes.includes(hash) ? deps.mfa.useRecoveryCodePart(userId, hash) : undefined;
}

/** The confirmed factor whose code this is, to be spent at its step in the session's transaction (S60). */
async function totpPart(
  deps: MfaDeps,
  challenge: MfaChallenge,
  factors: TotpFactor[],
  code: string,
  now: number,
): Promise<AtomicPart | undefined> {
  for (const factor of factors) {
    if (!factor.confirmed) continue;
    const key = await deps.secrets.open(factor.sealedSecret, `${challenge.userId}:${factor.id}`);
    const step = matchTotp(key, code, now, factor.lastStep);
    if (step !== undefined) return deps.mfa.useTotpStepPart(challenge.userId, factor.id, step, now);
  }
  return undefined;
}

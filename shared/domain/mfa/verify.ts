/**
 * `POST /auth/mfa/verify`: finishes a sign-in that a first factor started (S59). Attempts are reserved before any
 * code is checked, per `mfaToken` and per account across methods (S61); an accepted TOTP step or recovery code is
 * spent by a conditional write (S60, S62); the token is spent once (S66). Only then does the session start, with
 * `amr` = the first factor plus `mfa` and `auth_time` = now (S64).
 */
import { AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import type { MfaChallenge, TotpFactor } from '../../ports/mfa-store.js';
import { sha256Hex } from '../secrets.js';
import { nowSeconds } from '../../ports/clock.js';
import { startSession, type SessionTokens } from '../session.js';
import type { MfaMethod } from './challenge.js';
import type { MfaDeps } from './deps.js';
import { recoveryCodeHash } from './recovery-codes.js';
import { matchTotp } from './totp.js';
import { verifySecondFactor } from '../passkeys/passkeys.js';

export interface VerifyMfaInput {
  mfaToken: string;
  method: MfaMethod;
  code?: string;
  /** `webauthn`: the assertion (AuthenticationResponseJSON) answering `POST /auth/mfa/webauthn/options`. */
  response?: unknown;
}

const invalidToken = () =>
  new AuthError('invalid_token', 'This sign-in step has expired or was already used; sign in again.');
const invalidCode = () => new AuthError('invalid_code', 'The code is not correct.');
const tooMany = (retryAfter: number) =>
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

  const [account, credentials, user] = await Promise.all([
    deps.limiter.consume(
      accountLimitKey(challenge.userId),
      deps.limits.maxAttemptsPerAccount,
      deps.limits.windowSeconds,
    ),
    deps.mfa.get(challenge.userId),
    deps.users.findById(challenge.userId),
  ]);
  if (!account.allowed) {
    // Checked before the code: the right code is refused while locked (S61).
    securityEvent('mfa_locked', { userId: challenge.userId, scope: 'account' });
    throw tooMany(account.retryAfterSeconds);
  }
  // A passkey-only account has no MFA item: only `webauthn` can finish its challenge.
  if (!user || (!credentials && input.method !== 'webauthn')) throw invalidToken();
  if (user.disabled) throw new AuthError('account_disabled', 'This account is disabled. Contact the administrator.');

  const code = input.code ?? '';
  const accepted =
    input.method === 'webauthn'
      ? await verifySecondFactor(deps.webauthn!, challenge.userId, tokenHash, input.response)
      : input.method === 'totp'
        ? await acceptTotp(deps, challenge, credentials?.factors ?? [], code, now)
        : credentials !== undefined &&
          credentials.recoveryCodeHashes.includes(recoveryCodeHash(code)) &&
          (await deps.mfa.useRecoveryCode(challenge.userId, recoveryCodeHash(code)));
  if (!accepted) {
    securityEvent('mfa_failed', { userId: challenge.userId, method: input.method });
    throw invalidCode();
  }
  if (!(await deps.challenges.consume(tokenHash, now))) throw invalidToken();
  // As for passwords: the right factor clears the account's counter, so a user's own typos do not add up to a lock.
  await deps.limiter.reset(accountLimitKey(challenge.userId), deps.limits.windowSeconds);
  if (input.method === 'recovery_code') securityEvent('mfa_recovery_code_used', { userId: user.id });
  securityEvent('mfa_verified', { userId: user.id, method: input.method, firstFactor: challenge.firstFactor });
  securityEvent('login_success', { userId: user.id, method: challenge.firstFactor, mfa: input.method });
  const { familyId: _familyId, ...tokens } = await startSession(deps, user, [challenge.firstFactor, 'mfa'], now);
  return tokens;
}

/** The confirmed factor whose code this is, spent at its step; a second use of the step loses the write (S60). */
async function acceptTotp(
  deps: MfaDeps,
  challenge: MfaChallenge,
  factors: TotpFactor[],
  code: string,
  now: number,
): Promise<boolean> {
  for (const factor of factors) {
    if (!factor.confirmed) continue;
    const key = await deps.secrets.open(factor.sealedSecret, `${challenge.userId}:${factor.id}`);
    const step = matchTotp(key, code, now, factor.lastStep);
    if (step !== undefined) return deps.mfa.useTotpStep(challenge.userId, factor.id, step, now);
  }
  return false;
}

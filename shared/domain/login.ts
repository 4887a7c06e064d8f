import { AuthError } from './errors.js';
import { logger, securityEvent } from '../observability/log.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { User, UserStore } from '../ports/user-store.js';
import { AtomicPartFailedError } from '../ports/atomic-part.js';
import type { SignInCopy, SignInCopyStore } from '../ports/sign-in-copy.js';
import { accountCounter } from './account-counter.js';
import { canonicalizeEmail } from './email.js';
import { MfaChallengeError } from './mfa/challenge.js';
import { normalizePassword, type PasswordPolicy } from './password-policy.js';
import type { SessionTokens } from './session.js';
import { completeSignIn, type KnownAccount, type SignInDeps, type SignInResult } from './sign-in/complete-sign-in.js';

export interface LoginLimits {
  maxAttemptsPerAccount: number;
  maxAttemptsPerIp: number;
  windowSeconds: number;
}

export interface LoginDeps extends SignInDeps {
  users: UserStore;
  hasher: PasswordHasher;
  limiter: RateLimiter;
  passwordPolicy: PasswordPolicy;
  limits: LoginLimits;
  /** A hash of a random password made with the current parameters; verified when the email is unknown. */
  dummyHash: () => Promise<string>;
  /**
   * Sign-in copies (shared/ports/sign-in-copy.ts): the account's attempts are counted on its email item, and the
   * account and its factors come back with that write, beside the per-IP count: one round trip. Without them the
   * account's count is the limiter's, the account is read after the limits, and the funnel reads its factors.
   */
  copies?: SignInCopyStore;
}

const invalidCredentials = () => new AuthError('invalid_credentials', 'The email or password is incorrect.');

/**
 * Password sign-in. Unknown email and wrong password give the same answer (S1) at the same cost: the
 * unknown email still pays one argon2 verify against a dummy hash (S2). Attempts are reserved atomically
 * per account and per source IP *before* verifying (S4), so a burst of concurrent guesses can never get
 * more verifications than the limit, and the right password is refused while locked.
 */
export async function logIn(
  deps: LoginDeps,
  input: { email: string; password: string; sourceIp: string },
): Promise<SessionTokens> {
  const email = canonicalizeEmail(input.email);
  let password: string;
  try {
    password = normalizePassword(input.password, deps.passwordPolicy);
  } catch {
    // Over the maximum length: it can never match a stored password, and it never reaches argon2 (S46).
    throw invalidCredentials();
  }
  const { maxAttemptsPerAccount, maxAttemptsPerIp, windowSeconds } = deps.limits;
  const counter = accountCounter(deps, email, windowSeconds);
  // The account's count (with its copy, when copies are kept: one write to the email item) beside the source IP's:
  // one round trip for both; the account is looked at only once both allow.
  const [account, ip] = await Promise.all([
    counter.consume(maxAttemptsPerAccount),
    deps.limiter.consume(`login:ip:${input.sourceIp}`, maxAttemptsPerIp, windowSeconds),
  ]);
  if (!account.decision.allowed || !ip.allowed) {
    securityEvent('login_locked', { scope: account.decision.allowed ? 'ip' : 'account' });
    const retryAfter = Math.max(
      account.decision.allowed ? 0 : account.decision.retryAfterSeconds,
      ip.allowed ? 0 : ip.retryAfterSeconds,
      1,
    );
    throw new AuthError('too_many_attempts', 'Too many sign-in attempts. Try again later.', {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  let copy: SignInCopy | undefined;
  let user: User | undefined;
  if (deps.copies) {
    const found = account.found;
    // An account made before copies existed gets one now (once).
    copy = found && (found.copy ?? (await deps.copies.refresh(email, found.userId)));
    user = copy?.user;
  } else {
    user = await deps.users.findByEmail(email);
  }
  const ok = await deps.hasher.verify(user?.passwordHash ?? (await deps.dummyHash()), password);
  if (!user || !user.passwordHash || !ok) {
    securityEvent('login_failure', { userId: user?.id });
    throw invalidCredentials();
  }
  // Only now, after the password matched, does the funnel say "disabled" or "unverified": telling either to
  // someone guessing would enumerate. The right password clears the account's failure counter: in the session's
  // transaction when a session starts, on its own when the sign-in is refused (an unverified or disabled account
  // must not lock itself by being tried with its own password).
  const finish = (account: User, known?: KnownAccount) =>
    completeSignIn(deps, {
      account,
      method: 'pwd',
      proof: { emailVerified: false },
      sessionParts: [counter.resetPart()],
      ...(known ? { known } : {}),
    });
  let result: SignInResult;
  try {
    result = copy && deps.copies ? await finishFromCopy(deps, deps.copies, copy, email, finish) : await finish(user);
  } catch (e) {
    // A challenge carried the reset with it; any other refusal clears the counter here.
    if (!(e instanceof MfaChallengeError)) await counter.reset();
    throw e;
  }
  if (deps.hasher.needsRehash(user.passwordHash)) {
    await deps.hasher
      .hash(password)
      .then((h) => deps.users.updatePasswordHash(user.id, h))
      .catch((error: unknown) =>
        logger.warn('password hash upgrade failed', { userId: user.id, error: String(error) }),
      );
  }
  return result.tokens;
}

/**
 * The sign-in on the copy read with the limits: the session (or challenge) commits only while every copied item is
 * unchanged. A copy that is stale, or that would refuse (disabled, unverified: perhaps no longer true), is replaced
 * by a fresh read, and the funnel decides on the items themselves; the password was checked against the copy's hash,
 * so a hash changed meanwhile refuses the sign-in.
 */
async function finishFromCopy(
  deps: LoginDeps,
  copies: SignInCopyStore,
  copy: SignInCopy,
  email: string,
  finish: (account: User, known?: KnownAccount) => Promise<SignInResult>,
): Promise<SignInResult> {
  const refuses = copy.user.disabled === true || (deps.requireEmailVerification === true && !copy.user.emailVerified);
  if (!refuses) {
    try {
      return await finish(copy.user, copy);
    } catch (e) {
      if (!(e instanceof AtomicPartFailedError) || e.failure !== 'stale') throw e;
    }
  }
  const fresh = await copies.refresh(email, copy.user.id);
  if (!fresh || fresh.user.passwordHash !== copy.user.passwordHash) {
    securityEvent('login_failure', { userId: copy.user.id, reason: 'changed' });
    throw invalidCredentials();
  }
  return finish(fresh.user);
}

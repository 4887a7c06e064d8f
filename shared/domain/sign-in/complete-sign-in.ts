/**
 * The end of every sign-in (S51): password, email link, email code and social sign-in each only prove something
 * and hand the funnel the account (or the intent to create one) and the proof; the funnel alone turns that into a
 * session. So no method can create a session another would refuse, and every rule below is written once:
 *
 * - a disabled account is refused (`403 account_disabled`), before anything changes;
 * - the pre-hijack rule (S52; Sudhodanan & Paverd, "Pre-hijacked accounts", USENIX Security 2022): when this
 *   sign-in is the first proof of an address the account had not proven, every earlier session of the account
 *   ends and the password set before the proof is removed, so the proof holder becomes the only owner;
 * - REQUIRE_EMAIL_VERIFICATION: an account whose address is still unproven gets no session;
 * - bootstrap roles (ADMIN_EMAILS) go to a proven address only, whatever the method (S52, item 9);
 * - the session records `amr` and `auth_time` (carried into every access token of the family) and
 *   `email_verified` (S53); security events are emitted here, with the method.
 *
 * The result is a discriminated union so that second factors can answer a challenge instead of a session
 * without changing any caller's shape: a caller that only knows `session` fails to compile once a new kind exists.
 */
import { accountDisabled, AuthError, ConditionFailedError } from '../errors.js';
import { AtomicPartFailedError, type AtomicPart } from '../../ports/atomic-part.js';
import { securityEvent } from '../../observability/log.js';
import type { User } from '../../ports/user-store.js';
import { nowSeconds } from '../../ports/clock.js';
import { startSession, type SessionDeps, type SessionTokens } from '../session.js';
import { requireSecondFactor } from '../mfa/challenge.js';
import type { MfaGateDeps } from '../mfa/deps.js';
import type { MfaCredentials } from '../../ports/mfa-store.js';
import { createAccount, type CreateAccountDeps, type NewAccount } from './create-account.js';

/**
 * RFC 8176 values: `pwd`; `otp` for a one-time secret delivered by mail (link or code); `fed` for social (the
 * common convention); `pop` for a passkey (proof of possession of a key).
 */
export type SignInMethod = 'pwd' | 'otp' | 'fed' | 'pop';

/** What the first factor proved, beyond "this is the account". */
export interface SignInProof {
  /**
   * True when this sign-in itself proved control of the account's address: a redeemed email link or code, or a
   * provider's verified email. A matched password proves nothing about the address.
   */
  emailVerified: boolean;
  /**
   * True when the proof is already multi-factor: a user-verified passkey (something held, unlocked by something
   * known or been, S68). No second factor is asked for and the session's `amr` gets `mfa` too (S64).
   */
  multiFactor?: boolean;
}

export interface SignInDeps extends SessionDeps, CreateAccountDeps {
  /** Canonical addresses that receive the `admin` role once proven (ADMIN_EMAILS, bootstrap). */
  adminEmails?: readonly string[];
  /** REQUIRE_EMAIL_VERIFICATION: no session for an account whose address is unproven. */
  requireEmailVerification?: boolean;
  /** Second factors: an account with a confirmed factor gets a challenge, not a session (S59). */
  mfaGate?: MfaGateDeps;
}

/** Who is signing in: an existing account, or the intent to create one (made by `createAccount`). */
export type SignInSubject = { account: User } | { newAccount: NewAccount };

export type SignInInput = SignInSubject & {
  method: SignInMethod;
  proof: SignInProof;
  /** For the security events only. */
  provider?: string;
  /** Writes of the method's own that commit with the session or the MFA challenge (e.g. its counter cleared). */
  sessionParts?: readonly AtomicPart[];
  /**
   * What the method already read of the account's second factors (a sign-in copy, shared/ports/sign-in-copy.ts),
   * and the parts that hold while that read is current: the funnel then reads nothing more, and the session or the
   * challenge commits only if the account and its factors are still as read (else `AtomicPartFailedError('stale')`,
   * for the method to decide again from fresh items). Dropped when the funnel itself changes the account.
   */
  known?: KnownAccount;
};

export interface KnownAccount {
  credentials?: MfaCredentials;
  passkeyCount: number;
  unchangedParts: readonly AtomicPart[];
}

export type SignInResult = {
  kind: 'session';
  tokens: SessionTokens;
  /** The account as it is after the sign-in (verified, roles granted). */
  user: User;
  /** True when this sign-in created the account. */
  created: boolean;
};
// Issue 13 adds `| { kind: 'mfa_required'; mfaToken: string }` here: a confirmed second factor not yet satisfied.

const BOOTSTRAP_ROLE = 'admin';

/**
 * Ends a sign-in. Throws `AuthError` `account_disabled` (403) or `email_not_verified` (403); a new account whose
 * address is taken throws `email_taken` (409) when nothing proved the address, and signs into the existing account
 * when something did (the mailbox owner, with the pre-hijack rule applied).
 * @example const result = await completeSignIn(deps, { account: user, method: 'pwd', proof: { emailVerified: false } });
 */
export async function completeSignIn(deps: SignInDeps, input: SignInInput): Promise<SignInResult> {
  const { method, proof } = input;
  let created = false;
  let user: User;
  if ('account' in input) {
    user = input.account;
  } else {
    const resolved = await accountFor(deps, input.newAccount, input);
    user = resolved.user;
    created = resolved.created;
  }

  if (user.disabled) {
    securityEvent('login_failure', { userId: user.id, method, reason: 'disabled' });
    throw accountDisabled();
  }

  const read = user;
  if (proof.emailVerified && !user.emailVerified) user = await proveAddress(deps, user, method);

  if (deps.requireEmailVerification && !user.emailVerified) {
    throw new AuthError('email_not_verified', 'Confirm your email address first: use the link or code we mailed you.');
  }

  user = await grantBootstrapRoles(deps, user);
  // What the method read no longer describes an account this funnel just changed: read again below.
  const known = user === read ? input.known : undefined;
  const sessionParts = [...(input.sessionParts ?? []), ...(known?.unchangedParts ?? [])];

  // Last check before any session exists: throws `mfa_required` (S59) or `mfa_enrollment_required`.
  // An account this sign-in just created has no factor and no passkey yet: nothing to read.
  const factors = known ?? (created ? { passkeyCount: 0 } : undefined);
  if (deps.mfaGate && !proof.multiFactor) await requireSecondFactor(deps.mfaGate, user, method, sessionParts, factors);

  const authTime = nowSeconds(deps.clock);
  const amr = proof.multiFactor ? [method, 'mfa'] : [method];
  const parts = [...sessionParts];
  // A password sign-in's session exists only if the account still holds that password and is enabled when it is
  // written: a proof of the address by someone else meanwhile (S52) removed the password and ended the sessions it
  // could see, and this one must not outlive it. One condition in the session's transaction, not a re-read (a
  // known account's parts hold the same and more: every copied item unchanged).
  if (method === 'pwd' && user.passwordHash && !known)
    parts.push(deps.users.passwordHeldPart(user.id, user.passwordHash));
  let tokens: SessionTokens;
  try {
    const { familyId: _familyId, ...session } = await startSession(deps, user, amr, authTime, parts);
    tokens = session;
  } catch (e) {
    if (!(e instanceof AtomicPartFailedError) || e.failure === 'stale') throw e;
    securityEvent('login_failure', { userId: user.id, method, reason: e.failure });
    if (e.failure === 'account_disabled') throw accountDisabled();
    throw new AuthError('invalid_credentials', 'The email or password is incorrect.');
  }

  securityEvent('login_success', { userId: user.id, method, provider: input.provider });
  return { kind: 'session', tokens, user, created };
}

/** Creates the account; when the address is taken and this sign-in proved it, the existing account is the one. */
async function accountFor(
  deps: SignInDeps,
  account: NewAccount,
  input: SignInInput,
): Promise<{ user: User; created: boolean }> {
  try {
    return {
      user: await createAccount(deps, account, {
        emailVerified: input.proof.emailVerified,
        method: input.method,
        provider: input.provider,
      }),
      created: true,
    };
  } catch (e) {
    if (!(e instanceof ConditionFailedError)) throw e;
    // Someone signed up with this address in the meantime. Without a proof of the address that is a conflict; with
    // one, the proof holder signs into that account (and the pre-hijack rule makes them its only owner). An
    // identity that lost a race is the caller's to retry, so the store error goes on.
    if (!input.proof.emailVerified) throw new AuthError('email_taken', 'An account with this email already exists.');
    if (account.identity) throw e;
    const existing = await deps.users.findByEmail(account.email);
    if (!existing) throw e;
    return { user: existing, created: false };
  }
}

/** S52: the first proof of the address makes the proof holder the only owner. */
async function proveAddress(deps: SignInDeps, user: User, method: SignInMethod): Promise<User> {
  const claimed = await deps.users.claimAddress(user.id);
  if (!claimed) {
    // Proven meanwhile (the verification mail, or a concurrent sign-in): that proof already decided.
    const fresh = await deps.users.findById(user.id);
    if (!fresh) throw new AuthError('invalid_token', 'This sign-in cannot be completed; start again.');
    if (fresh.disabled) throw accountDisabled();
    return fresh;
  }
  // After the password is gone, so no session the pre-proof password could still start survives this.
  const revoked = await deps.refreshTokens.revokeAllForUser(user.id, nowSeconds(deps.clock));
  securityEvent('address_proven', {
    userId: user.id,
    method,
    passwordRemoved: user.passwordHash !== undefined,
    sessionsRevoked: revoked,
  });
  return claimed;
}

/** ADMIN_EMAILS bootstrap: a proven address on the list gets the role, persisted. Never an unproven one. */
async function grantBootstrapRoles(deps: SignInDeps, user: User): Promise<User> {
  if (!user.emailVerified || user.roles.includes(BOOTSTRAP_ROLE) || !deps.adminEmails?.includes(user.email))
    return user;
  const updated = await deps.users.setRoles(user.id, [...user.roles, BOOTSTRAP_ROLE]);
  securityEvent('role_change', { userId: user.id, roles: BOOTSTRAP_ROLE, by: 'ADMIN_EMAILS' });
  return updated ?? user;
}

/**
 * The challenge between a first factor and the session (S59, S66): a single-use `mfaToken`, bound to the account
 * and to the first factor, alive ≤ 5 minutes, stored only as its hash.
 */
import { AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { User } from '../../ports/user-store.js';
import type { MfaChallenge, MfaChallengePurpose, MfaCredentials } from '../../ports/mfa-store.js';
import { newOpaqueToken, sha256Hex } from '../secrets.js';
import { nowSeconds } from '../../ports/clock.js';
import type { MfaGateDeps } from './deps.js';

export type MfaMethod = 'totp' | 'recovery_code' | 'webauthn';

/** An account with no MFA item yet (no TOTP, no recovery codes; it may still have passkeys). */
export const noCredentials = (userId: string): MfaCredentials => ({ userId, factors: [], recoveryCodeHashes: [] });

export const hasConfirmedFactor = (c: MfaCredentials | undefined) => c?.factors.some((f) => f.confirmed) === true;

/** The methods a challenged account can finish with: what it has (a passkey counts as a factor). */
export function methodsOf(c: MfaCredentials | undefined, hasPasskey = false): MfaMethod[] {
  const methods: MfaMethod[] = [];
  if (hasConfirmedFactor(c)) methods.push('totp');
  if (c && c.recoveryCodeHashes.length > 0) methods.push('recovery_code');
  if (hasPasskey) methods.push('webauthn');
  return methods;
}

/**
 * Called by the sign-in funnel before any session starts: throws `mfa_required` (a confirmed factor) or
 * `mfa_enrollment_required` (MFA_POLICY=required, none yet), each carrying a fresh `mfaToken`; returns when the
 * first factor alone is enough. A throw, not a result kind, so that every first factor's route answers it without
 * code of its own (the social callback catches it to set the cookie instead).
 */
export async function requireSecondFactor(
  deps: MfaGateDeps,
  user: User,
  firstFactor: string,
  /** The sign-in's own writes (its failure counter cleared): they commit with the challenge. */
  parts?: readonly AtomicPart[],
  /** The factors as the sign-in already read them (its parts, among `parts`, hold while that read is current). */
  known?: { credentials?: MfaCredentials; passkeyCount: number },
): Promise<void> {
  const [credentials, passkeyCount] = known
    ? [known.credentials, known.passkeyCount]
    : await Promise.all([
        deps.mfa.get(user.id),
        deps.passkeys ? deps.passkeys.listByUser(user.id).then((p) => p.length) : Promise.resolve(0),
      ]);
  const hasPasskey = passkeyCount > 0;
  if (hasConfirmedFactor(credentials) || hasPasskey) {
    const challenge = await issueChallenge(deps, user.id, firstFactor, 'sign_in', parts, {
      user: { email: user.email, emailVerified: user.emailVerified === true, roles: user.roles },
      credentials: credentials ?? noCredentials(user.id),
    });
    securityEvent('mfa_challenge', { userId: user.id, method: firstFactor });
    throw new MfaChallengeError('mfa_required', 'A second factor is required to finish signing in.', {
      ...challenge,
      methods: methodsOf(credentials, hasPasskey),
    });
  }
  if (deps.policy === 'required') {
    const challenge = await issueChallenge(deps, user.id, firstFactor, 'enrol', parts);
    securityEvent('mfa_challenge', { userId: user.id, method: firstFactor, purpose: 'enrol' });
    throw new MfaChallengeError('mfa_enrollment_required', 'Set up a second factor to finish signing in.', {
      ...challenge,
      methods: ['totp'],
    });
  }
}

async function issueChallenge(
  deps: MfaGateDeps,
  userId: string,
  firstFactor: string,
  purpose: MfaChallengePurpose,
  parts: readonly AtomicPart[] | undefined,
  snapshot?: MfaChallenge['snapshot'],
): Promise<{ mfaToken: string; expiresIn: number }> {
  const mfaToken = newOpaqueToken('mfa');
  const now = nowSeconds(deps.clock);
  const ttl = Math.min(deps.limits.tokenTtlSeconds, 300);
  await deps.challenges.create(
    {
      tokenHash: sha256Hex(mfaToken),
      userId,
      purpose,
      firstFactor,
      attempts: 0,
      createdAt: now,
      expiresAt: now + ttl,
      ...(snapshot ? { snapshot } : {}),
    },
    parts,
  );
  return { mfaToken, expiresIn: ttl };
}

/** `401 mfa_required` / `401 mfa_enrollment_required` with the challenge in the body; never a session or cookie. */
export class MfaChallengeError extends AuthError {
  constructor(
    readonly mfaCode: 'mfa_required' | 'mfa_enrollment_required',
    message: string,
    readonly challenge: { mfaToken: string; expiresIn: number; methods: MfaMethod[] },
  ) {
    super(mfaCode, message, { details: challenge });
  }
}

/**
 * Listing and managing factors. Removing one or replacing the recovery codes needs a recent second factor (S63):
 * a stolen session that never passed MFA, or passed it long ago, cannot weaken the account.
 */
import { AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import type { Clock } from '../../ports/clock.js';
import type { PasskeyStore } from '../../ports/passkey-store.js';
import type { RefreshTokenStore } from '../../ports/refresh-token-store.js';
import type { UserStore } from '../../ports/user-store.js';
import type { MfaStore } from '../../ports/mfa-store.js';
import { nowSeconds } from '../../ports/clock.js';
import type { MfaCaller } from './enrol.js';
import { hasConfirmedFactor } from './challenge.js';
import { newRecoveryCodes } from './recovery-codes.js';

export interface MfaManageDeps {
  clock: Clock;
  mfa: MfaStore;
  recentSeconds: number;
}

const iso = (s: number | undefined) => (s === undefined ? null : new Date(s * 1000).toISOString());

export async function listFactors(
  deps: Pick<MfaManageDeps, 'mfa'> & { passkeys?: Pick<PasskeyStore, 'listByUser'> },
  userId: string,
) {
  const [c, passkeys] = await Promise.all([deps.mfa.get(userId), deps.passkeys?.listByUser(userId) ?? []]);
  const totp = (c?.factors ?? [])
    .filter((f) => f.confirmed)
    .map((f) => ({ id: f.id, type: f.type, createdAt: iso(f.createdAt), lastUsedAt: iso(f.lastUsedAt) }));
  // Passkeys are factors too (`webauthn`); GET /auth/passkeys has their details.
  const webauthn = passkeys.map((p) => ({
    id: p.id,
    type: 'webauthn' as const,
    createdAt: iso(p.createdAt),
    lastUsedAt: iso(p.lastUsedAt),
  }));
  return {
    factors: [...totp, ...webauthn],
    recoveryCodesRemaining: totp.length ? (c?.recoveryCodeHashes.length ?? 0) : 0,
  };
}

/** S63: `mfa` in this session's `amr`, and its last authentication at most MFA_RECENT_SECONDS ago. */
export function requireRecentMfa(deps: Pick<MfaManageDeps, 'clock' | 'recentSeconds'>, caller: MfaCaller): void {
  const recent =
    caller.amr.includes('mfa') &&
    caller.authTime !== undefined &&
    nowSeconds(deps.clock) - caller.authTime <= deps.recentSeconds;
  if (!recent) {
    throw new AuthError('reauthentication_required', 'Sign in again with your second factor to do this.');
  }
}

export async function removeFactor(deps: MfaManageDeps, caller: MfaCaller, factorId: string): Promise<void> {
  requireRecentMfa(deps, caller);
  if (!(await deps.mfa.removeFactor(caller.userId, factorId))) throw new AuthError('not_found', 'No such factor.');
  // Recovery codes stand in for a factor; with none left they would only be a way around nothing.
  if (!hasConfirmedFactor(await deps.mfa.get(caller.userId))) await deps.mfa.removeAll(caller.userId);
  securityEvent('mfa_removed', { userId: caller.userId, factorId });
}

export async function replaceRecoveryCodes(deps: MfaManageDeps, caller: MfaCaller): Promise<string[]> {
  requireRecentMfa(deps, caller);
  if (!hasConfirmedFactor(await deps.mfa.get(caller.userId))) {
    throw new AuthError('not_found', 'Set up an authenticator first.');
  }
  const { codes, hashes } = newRecoveryCodes();
  await deps.mfa.replaceRecoveryCodes(caller.userId, hashes);
  securityEvent('mfa_recovery_codes_replaced', { userId: caller.userId });
  return codes;
}

/** The admin reset (S63): every factor (TOTP, passkeys) and recovery code goes, and every session of the user ends. */
export async function adminResetMfa(
  deps: {
    clock: Clock;
    users: UserStore;
    mfa: MfaStore;
    refreshTokens: RefreshTokenStore;
    passkeys?: Pick<PasskeyStore, 'listByUser' | 'remove'>;
  },
  actorId: string,
  userId: string,
): Promise<void> {
  if (!(await deps.users.findById(userId))) throw new AuthError('not_found', 'No user with this id.');
  await deps.mfa.removeAll(userId);
  // A passkey is a factor too: a reset that left one would leave the account's second factor in place.
  const passkeys = deps.passkeys ? await deps.passkeys.listByUser(userId) : [];
  await Promise.all(passkeys.map((p) => deps.passkeys!.remove(userId, p.id)));
  for (const p of passkeys) securityEvent('passkey_removed', { userId, passkeyId: p.id, by: actorId });
  const revoked = await deps.refreshTokens.revokeAllForUser(userId, nowSeconds(deps.clock));
  securityEvent('mfa_reset', { userId, by: actorId, sessionsRevoked: revoked });
}

/** Listing and removing a signed-in user's passkeys (S72). */
import { AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import { nowSeconds } from '../../ports/clock.js';
import type { PasskeyCaller, PasskeyDeps } from './passkeys.js';

const iso = (s: number | undefined) => (s === undefined ? null : new Date(s * 1000).toISOString());

/** `GET /auth/passkeys`. */
export async function listPasskeys(deps: Pick<PasskeyDeps, 'passkeys'>, userId: string) {
  const passkeys = await deps.passkeys.listByUser(userId);
  return {
    passkeys: passkeys.map((p) => ({
      id: p.id,
      name: p.name,
      createdAt: iso(p.createdAt),
      lastUsedAt: iso(p.lastUsedAt),
      backedUp: p.backedUp,
    })),
  };
}

/**
 * `DELETE /auth/passkeys/{id}`: a signed-in session suffices while another factor remains; removing the last
 * factor (no other passkey, no confirmed TOTP) needs a recent multi-factor sign-in (S72, as S63).
 */
export async function removePasskey(
  deps: PasskeyDeps & { recentSeconds: number; hasOtherFactor: (userId: string) => Promise<boolean> },
  caller: PasskeyCaller,
  passkeyId: string,
): Promise<void> {
  const own = await deps.passkeys.listByUser(caller.userId);
  const target = own.find((p) => p.id === passkeyId);
  if (!target) throw new AuthError('not_found', 'No such passkey.');
  const last = own.length === 1 && !(await deps.hasOtherFactor(caller.userId));
  if (last) {
    const recent =
      caller.amr.includes('mfa') &&
      caller.authTime !== undefined &&
      nowSeconds(deps.clock) - caller.authTime <= deps.recentSeconds;
    if (!recent) throw new AuthError('reauthentication_required', 'Sign in again with a passkey to remove it.');
  }
  if (!(await deps.passkeys.remove(caller.userId, passkeyId))) throw new AuthError('not_found', 'No such passkey.');
  securityEvent('passkey_removed', { userId: caller.userId, passkeyId });
  await deps.notify?.(caller.userId, 'passkey_removed', target.name);
}

/**
 * `POST /auth/mfa/webauthn/options`: request options for a passkey as second factor, bound to the `mfaToken`
 * (its challenge is only accepted by `POST /auth/mfa/verify` with that same token). Asking counts as one of the
 * token's attempts (S61), so options cannot be asked for without bound.
 */
import { AuthError } from '../errors.js';
import { sha256Hex } from '../secrets.js';
import { nowSeconds } from '../../ports/clock.js';
import { secondFactorOptions } from '../passkeys/second-factor.js';
import type { MfaDeps } from './deps.js';

const invalidToken = () =>
  new AuthError('invalid_token', 'This sign-in step has expired or was already used; sign in again.');

export async function webauthnSecondFactorOptions(deps: MfaDeps, mfaToken: string) {
  if (!deps.webauthn) throw invalidToken();
  const tokenHash = sha256Hex(mfaToken);
  const reserved = await deps.challenges.reserveAttempt(
    tokenHash,
    deps.limits.maxAttemptsPerToken,
    nowSeconds(deps.clock),
  );
  if (reserved.kind !== 'reserved' || reserved.challenge.purpose !== 'sign_in') throw invalidToken();
  return secondFactorOptions(deps.webauthn, reserved.challenge.userId, tokenHash);
}

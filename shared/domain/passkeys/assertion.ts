/**
 * A passkey's assertion checked against its stored credential (`@simplewebauthn/server`, S67, S68, S73) and its
 * counter moved forward only (S69): shared by the passkey sign-in and the passkey as second factor.
 */
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import type { Passkey } from '../../ports/passkey-store.js';
import type { PasskeyDeps } from './passkeys.js';

export const invalidPasskey = (status = 401) =>
  new AuthError('invalid_passkey', 'This passkey could not be verified. Try again or use another way to sign in.', {
    status,
  });

/** The stored passkey an assertion names (its `id`), read beside the challenge's consumption; undefined if unknown. */
export function passkeyNamedBy(deps: PasskeyDeps, response: unknown): Promise<Passkey | undefined> {
  const id = (response as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 1024 ? deps.passkeys.get(id) : Promise.resolve(undefined);
}

/** The account id a response's `userHandle` carries (registration's `user.id`), when it carries one. */
export function userHandleOf(response: unknown): string | undefined {
  const handle = (response as { response?: { userHandle?: unknown } } | null)?.response?.userHandle;
  return typeof handle === 'string' && handle !== '' ? Buffer.from(handle, 'base64url').toString('utf8') : undefined;
}

/**
 * Checks an assertion against the stored passkey (`found`, read by `passkeyNamedBy`): S67, S68, S73. Returns the
 * counter it carries, to be written forward only (S69); throws the generic `invalid_passkey` for every failure.
 */
export async function checkAssertion(
  deps: PasskeyDeps,
  response: unknown,
  challenge: string,
  found: { passkey: Passkey | undefined; expectUserId?: string },
): Promise<{ passkey: Passkey; newCounter: number }> {
  const { passkey, expectUserId } = found;
  const fail = (reason: string, userId?: string): never => {
    securityEvent('passkey_failed', { userId, reason });
    throw invalidPasskey();
  };
  if (!passkey) return fail('unknown_credential');
  if (expectUserId !== undefined && passkey.userId !== expectUserId) return fail('other_user', expectUserId);
  const handle = userHandleOf(response);
  if (handle !== undefined && handle !== passkey.userId) return fail('user_handle', passkey.userId);
  try {
    const verified = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: deps.rp.origins,
      expectedRPID: deps.rp.id,
      requireUserVerification: true,
      // The counter rule is the store's conditional write (S69), so that two concurrent uses of a cloned key
      // cannot both pass; the library is given 0 so it checks only the signature and the flags.
      credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: 0 },
    });
    if (!verified.verified || !verified.authenticationInfo.userVerified) throw new Error('not verified');
    return { passkey, newCounter: verified.authenticationInfo.newCounter };
  } catch (e) {
    return fail(e instanceof Error ? e.message.slice(0, 120) : 'invalid', passkey.userId);
  }
}

/** The `passkey_counter_regression` security event (S69): a cloned key, or a replayed assertion. */
export const reportCounterRegression = (passkey: Passkey, received: number): void =>
  securityEvent(
    'passkey_counter_regression',
    { userId: passkey.userId, passkeyId: passkey.id, stored: passkey.counter, received },
    'error',
  );

/** The event, then the generic refusal. */
export const counterRegressed = (passkey: Passkey, received: number): never => {
  reportCounterRegression(passkey, received);
  throw invalidPasskey();
};

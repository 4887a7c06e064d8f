/** A passkey as the second factor of a sign-in a first factor started (the `webauthn` method, S59, S68). */
import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { AuthError } from '../errors.js';
import { nowSeconds } from '../../ports/clock.js';
import {
  challengeOf,
  PASSKEY_CHALLENGE_TTL_SECONDS,
  storeChallenge,
  transportsOf,
  type PasskeyDeps,
} from './passkeys.js';
import { checkAssertion, passkeyNamedBy } from './assertion.js';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { Passkey } from '../../ports/passkey-store.js';

/** A passkey's answer, accepted: its counter's forward-only write, to ride in the session's transaction (S69). */
export interface PasskeySpend {
  part: AtomicPart;
  passkey: Passkey;
  newCounter: number;
}

/** `POST /auth/mfa/webauthn/options`: request options listing the challenged user's passkeys. */
export async function secondFactorOptions(
  deps: PasskeyDeps,
  userId: string,
  mfaTokenHash: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const own = await deps.passkeys.listByUser(userId);
  const options = await generateAuthenticationOptions({
    rpID: deps.rp.id,
    allowCredentials: own.map((p) => ({ id: p.id, transports: transportsOf(p) })),
    userVerification: 'required',
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
  });
  await storeChallenge(deps, options.challenge, 'mfa', { userId, mfaTokenHash });
  return options;
}

/**
 * The `webauthn` method of `POST /auth/mfa/verify`: the spend when this user's passkey answered this token's challenge
 * (its counter moves forward in the session's transaction, or the session does not start), else undefined.
 */
export async function verifySecondFactor(
  deps: PasskeyDeps,
  userId: string,
  mfaTokenHash: string,
  response: unknown,
): Promise<PasskeySpend | undefined> {
  const challenge = challengeOf(response);
  // The passkey is read beside the challenge's consumption; it is checked only once the challenge is spent (S67).
  const [stored, found] = challenge
    ? await Promise.all([
        deps.challenges.consume(challenge, 'mfa', nowSeconds(deps.clock)),
        passkeyNamedBy(deps, response),
      ])
    : [undefined, undefined];
  if (!challenge || !stored || stored.userId !== userId || stored.mfaTokenHash !== mfaTokenHash) return undefined;
  try {
    const { passkey, newCounter } = await checkAssertion(deps, response, challenge, {
      passkey: found,
      expectUserId: userId,
    });
    return { passkey, newCounter, part: deps.passkeys.recordUsePart(passkey.id, newCounter, nowSeconds(deps.clock)) };
  } catch (e) {
    if (e instanceof AuthError) return undefined;
    throw e;
  }
}

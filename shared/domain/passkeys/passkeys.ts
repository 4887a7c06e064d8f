/**
 * Passkeys (WebAuthn Level 3 JSON forms). Every ceremony is generated and verified by `@simplewebauthn/server`
 * (S67); this module only keeps state: a ≥ 256-bit challenge per ceremony, stored with a ≤ 5-minute TTL and
 * consumed atomically before the response is checked (the challenge is found from `clientDataJSON`), the
 * credential stored once per id (S70), the counter moved forward by a conditional write (S69). Every failure of
 * a sign-in is one generic `invalid_passkey` (S73); the reason goes to the security event only.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuthError } from '../errors.js';
import { AtomicPartFailedError } from '../../ports/atomic-part.js';
import { securityEvent } from '../../observability/log.js';
import type { Clock } from '../../ports/clock.js';
import { nowSeconds } from '../../ports/clock.js';
import type { Passkey, PasskeyCeremony, PasskeyChallengeStore, PasskeyStore } from '../../ports/passkey-store.js';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import type { User } from '../../ports/user-store.js';
import { checkAssertion, counterRegressed, invalidPasskey, passkeyNamedBy, userHandleOf } from './assertion.js';
import { completeSignIn, type SignInDeps, type SignInResult } from '../sign-in/complete-sign-in.js';

/** ES256, EdDSA, RS256 (COSE algorithm ids). */
export const PASSKEY_ALGORITHMS = [-7, -8, -257];
/** S67: ≤ 5 minutes. */
export const PASSKEY_CHALLENGE_TTL_SECONDS = 300;

export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

export interface PasskeyDeps {
  clock: Clock;
  passkeys: PasskeyStore;
  challenges: PasskeyChallengeStore;
  rp: RelyingParty;
  /** Told when a passkey is added or removed (a mail where mail is configured, S72). */
  notify?: (userId: string, event: 'passkey_added' | 'passkey_removed', name: string) => Promise<void>;
}

export interface PasskeySignInDeps extends PasskeyDeps {
  signIn: SignInDeps;
  limiter: RateLimiter;
  limits: { maxOptionsPerIp: number; windowSeconds: number };
}

/** The signed-in caller (Bearer), as the passkey use-cases see it. */
export interface PasskeyCaller {
  userId: string;
  email?: string;
  amr: string[];
  authTime?: number;
}

/** The challenge a response answers, from its `clientDataJSON`; undefined when that is not readable. */
export function challengeOf(response: unknown): string | undefined {
  try {
    const data = (response as { response?: { clientDataJSON?: unknown } }).response?.clientDataJSON;
    if (typeof data !== 'string') return undefined;
    const parsed = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof parsed.challenge === 'string' && parsed.challenge.length <= 256 ? parsed.challenge : undefined;
  } catch {
    return undefined;
  }
}

export async function storeChallenge(
  deps: PasskeyDeps,
  challenge: string,
  ceremony: PasskeyCeremony,
  bound: { userId?: string; mfaTokenHash?: string } = {},
): Promise<void> {
  const now = nowSeconds(deps.clock);
  await deps.challenges.create({
    challenge,
    ceremony,
    ...bound,
    createdAt: now,
    expiresAt: now + PASSKEY_CHALLENGE_TTL_SECONDS,
  });
}

export const transportsOf = (p: Passkey) => p.transports as AuthenticatorTransportFuture[];

/** `POST /auth/passkeys/register/options`: discoverable, user-verified, attestation `none` (S68, S71). */
export async function registrationOptions(
  deps: PasskeyDeps,
  caller: PasskeyCaller,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const own = await deps.passkeys.listByUser(caller.userId);
  const options = await generateRegistrationOptions({
    rpName: deps.rp.name,
    rpID: deps.rp.id,
    userName: caller.email ?? caller.userId,
    userID: new TextEncoder().encode(caller.userId),
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    // S70: the authenticator refuses to make a second passkey for the same account.
    excludeCredentials: own.map((p) => ({ id: p.id, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
  });
  await storeChallenge(deps, options.challenge, 'register', { userId: caller.userId });
  return options;
}

const NAME_MAX = 64;

/** `POST /auth/passkeys/register/verify`: `400 invalid_passkey`, `409 passkey_exists`. */
export async function verifyRegistration(
  deps: PasskeyDeps,
  caller: PasskeyCaller,
  input: { response: unknown; name?: string },
): Promise<{ id: string; name: string; createdAt: string }> {
  const now = nowSeconds(deps.clock);
  const challenge = challengeOf(input.response);
  const stored = challenge ? await deps.challenges.consume(challenge, 'register', now) : undefined;
  if (!challenge || !stored || stored.userId !== caller.userId) {
    securityEvent('passkey_failed', { userId: caller.userId, ceremony: 'register', reason: 'challenge' });
    throw invalidPasskey(400);
  }
  let info;
  try {
    const verified = await verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: deps.rp.origins,
      expectedRPID: deps.rp.id,
      requireUserVerification: true,
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    });
    if (!verified.verified || !verified.registrationInfo?.userVerified) throw new Error('not verified');
    info = verified.registrationInfo;
  } catch (e) {
    securityEvent('passkey_failed', {
      userId: caller.userId,
      ceremony: 'register',
      reason: e instanceof Error ? e.message.slice(0, 120) : 'invalid',
    });
    throw invalidPasskey(400);
  }
  const name = (input.name?.trim() || 'Passkey').slice(0, NAME_MAX);
  const passkey: Passkey = {
    id: info.credential.id,
    userId: caller.userId,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: info.credential.transports ?? [],
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    aaguid: info.aaguid,
    name,
    createdAt: now,
  };
  if (!(await deps.passkeys.add(passkey))) {
    securityEvent('passkey_failed', { userId: caller.userId, ceremony: 'register', reason: 'exists' });
    throw new AuthError('passkey_exists', 'This passkey is already registered.');
  }
  securityEvent('passkey_added', { userId: caller.userId, passkeyId: passkey.id, aaguid: passkey.aaguid });
  await deps.notify?.(caller.userId, 'passkey_added', name);
  return { id: passkey.id, name, createdAt: new Date(now * 1000).toISOString() };
}

const ipKey = (ip: string) => `passkey:options:ip:${ip}`;

/** `POST /auth/passkeys/authenticate/options`: usernameless (`allowCredentials: []`), per-IP limited. */
export async function authenticationOptions(
  deps: PasskeySignInDeps,
  sourceIp: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const limit = await deps.limiter.consume(ipKey(sourceIp), deps.limits.maxOptionsPerIp, deps.limits.windowSeconds);
  if (!limit.allowed) {
    throw new AuthError('too_many_attempts', 'Too many attempts. Try again later.', {
      headers: { 'Retry-After': String(Math.max(1, limit.retryAfterSeconds)) },
    });
  }
  const options = await generateAuthenticationOptions({
    rpID: deps.rp.id,
    allowCredentials: [],
    userVerification: 'required',
    timeout: PASSKEY_CHALLENGE_TTL_SECONDS * 1000,
  });
  await storeChallenge(deps, options.challenge, 'authenticate');
  return options;
}

/**
 * `POST /auth/passkeys/authenticate/verify`: ends in the one sign-in funnel, multi-factor (S68). The passkey and the
 * account the response names are read beside the challenge's consumption, and nothing is checked before it answers
 * (S67); the counter moves in the session's transaction, so no session starts unless it moves forward (S69).
 */
export async function signInWithPasskey(deps: PasskeySignInDeps, response: unknown): Promise<SignInResult> {
  const now = nowSeconds(deps.clock);
  const challenge = challengeOf(response);
  const handle = userHandleOf(response);
  const [stored, found, named] = challenge
    ? await Promise.all([
        deps.challenges.consume(challenge, 'authenticate', now),
        passkeyNamedBy(deps, response),
        handle !== undefined && handle.length <= 128 ? deps.signIn.users.findById(handle) : undefined,
      ])
    : [undefined, undefined, undefined];
  if (!challenge || !stored) {
    securityEvent('passkey_failed', { reason: 'challenge' });
    throw invalidPasskey();
  }
  const { passkey, newCounter } = await checkAssertion(deps, response, challenge, { passkey: found });
  // `named` is the passkey's account when the response carried a handle (checked above); else it is read now.
  const user: User | undefined =
    named?.id === passkey.userId ? named : await deps.signIn.users.findById(passkey.userId);
  if (!user) {
    securityEvent('passkey_failed', { userId: passkey.userId, reason: 'no_account' });
    throw invalidPasskey();
  }
  try {
    const result = await completeSignIn(deps.signIn, {
      account: user,
      method: 'pop',
      proof: { emailVerified: false, multiFactor: true },
      sessionParts: [deps.passkeys.recordUsePart(passkey.id, newCounter, now)],
    });
    securityEvent('passkey_used', { userId: user.id, passkeyId: passkey.id, as: 'first_factor' });
    return result;
  } catch (e) {
    if (e instanceof AtomicPartFailedError && e.failure === 'invalid_passkey') counterRegressed(passkey, newCounter);
    throw e;
  }
}

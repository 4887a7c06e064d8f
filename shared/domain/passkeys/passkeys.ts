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
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import type { Clock } from '../../ports/clock.js';
import { nowSeconds } from '../../ports/clock.js';
import type { Passkey, PasskeyCeremony, PasskeyChallengeStore, PasskeyStore } from '../../ports/passkey-store.js';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import type { User } from '../../ports/user-store.js';
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

export const invalidPasskey = (status = 401) =>
  new AuthError('invalid_passkey', 'This passkey could not be verified. Try again or use another way to sign in.', {
    status,
  });

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

/** The stored passkey an assertion names (its `id`), read beside the challenge's consumption; undefined if unknown. */
export function passkeyNamedBy(deps: PasskeyDeps, response: unknown): Promise<Passkey | undefined> {
  const id = (response as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 1024 ? deps.passkeys.get(id) : Promise.resolve(undefined);
}

/**
 * Checks an assertion against the stored passkey (`found`, read by `passkeyNamedBy`) and moves its counter
 * (S67–S69, S73); `alongside` runs beside the counter's write. Throws the generic `invalid_passkey` for every failure.
 */
export async function verifyAssertion<T = undefined>(
  deps: PasskeyDeps,
  response: unknown,
  challenge: string,
  found: { passkey: Passkey | undefined; expectUserId?: string; alongside?: (passkey: Passkey) => Promise<T> },
): Promise<{ passkey: Passkey; alongside: T | undefined }> {
  const { passkey, expectUserId } = found;
  const fail = (reason: string, userId?: string): never => {
    securityEvent('passkey_failed', { userId, reason });
    throw invalidPasskey();
  };
  if (!passkey) return fail('unknown_credential');
  if (expectUserId !== undefined && passkey.userId !== expectUserId) return fail('other_user', expectUserId);
  const userHandle = (response as { response?: { userHandle?: unknown } }).response?.userHandle;
  if (
    typeof userHandle === 'string' &&
    userHandle !== '' &&
    Buffer.from(userHandle, 'base64url').toString('utf8') !== passkey.userId
  )
    return fail('user_handle', passkey.userId);
  let newCounter: number;
  try {
    const verified = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: deps.rp.origins,
      expectedRPID: deps.rp.id,
      requireUserVerification: true,
      // The counter rule is the store's conditional write below (S69), so that two concurrent uses of a cloned
      // key cannot both pass; the library is given 0 so it checks only the signature and the flags.
      credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: 0 },
    });
    if (!verified.verified || !verified.authenticationInfo.userVerified) throw new Error('not verified');
    newCounter = verified.authenticationInfo.newCounter;
  } catch (e) {
    return fail(e instanceof Error ? e.message.slice(0, 120) : 'invalid', passkey.userId);
  }
  const now = nowSeconds(deps.clock);
  const [use, alongside] = await Promise.all([
    deps.passkeys.recordUse(passkey.id, newCounter, now),
    found.alongside?.(passkey),
  ]);
  if (use === 'regressed') {
    securityEvent(
      'passkey_counter_regression',
      { userId: passkey.userId, passkeyId: passkey.id, stored: passkey.counter, received: newCounter },
      'error',
    );
    throw invalidPasskey();
  }
  return { passkey, alongside };
}

/**
 * `POST /auth/passkeys/authenticate/verify`: ends in the one sign-in funnel, multi-factor (S68). Reads run beside
 * the writes they do not depend on (the passkey beside the challenge's consumption, the account beside the
 * counter's write); every check still waits for the challenge to be consumed and the counter to move (S67, S69).
 */
export async function signInWithPasskey(deps: PasskeySignInDeps, response: unknown): Promise<SignInResult> {
  const now = nowSeconds(deps.clock);
  const challenge = challengeOf(response);
  const [stored, found] = challenge
    ? await Promise.all([deps.challenges.consume(challenge, 'authenticate', now), passkeyNamedBy(deps, response)])
    : [undefined, undefined];
  if (!challenge || !stored) {
    securityEvent('passkey_failed', { reason: 'challenge' });
    throw invalidPasskey();
  }
  const { passkey, alongside: user } = await verifyAssertion(deps, response, challenge, {
    passkey: found,
    alongside: (p): Promise<User | undefined> => deps.signIn.users.findById(p.userId),
  });
  if (!user) {
    securityEvent('passkey_failed', { userId: passkey.userId, reason: 'no_account' });
    throw invalidPasskey();
  }
  securityEvent('passkey_used', { userId: user.id, passkeyId: passkey.id, as: 'first_factor' });
  return completeSignIn(deps.signIn, {
    account: user,
    method: 'pop',
    proof: { emailVerified: false, multiFactor: true },
  });
}

/**
 * Passkey ceremonies with in-memory stores and a software authenticator (test/helpers/webauthn.ts): registration,
 * usernameless sign-in through the one sign-in funnel, the counter, single-use challenges, the generic failure,
 * removal and the passkey as second factor.
 */
import { describe, expect, it, vi } from 'vitest';
import { MemoryPasskeyChallengeStore, MemoryPasskeyStore } from '../../shared/adapters/memory/passkey-store.js';
import { MemoryRateLimiter } from '../../shared/adapters/memory/rate-limiter.js';
import { AuthError } from '../../shared/domain/errors.js';
import {
  authenticationOptions,
  registrationOptions,
  signInWithPasskey,
  verifyRegistration,
  type PasskeySignInDeps,
} from '../../shared/domain/passkeys/passkeys.js';
import { listPasskeys, removePasskey } from '../../shared/domain/passkeys/manage.js';
import * as log from '../../shared/observability/log.js';
import type { User } from '../../shared/ports/user-store.js';
import { FrozenClock, inMemorySignIn } from '../helpers/fakes.js';
import { SoftAuthenticator } from '../helpers/webauthn.js';

const ORIGIN = 'http://localhost:3000';
const RP_ID = 'localhost';
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

const alice: User = { id: 'u-alice', email: 'alice@example.com', roles: ['user'], emailVerified: true, createdAt: 0 };
const caller = { userId: alice.id, email: alice.email, amr: ['pwd'], authTime: 0 };

async function setup() {
  const clock = new FrozenClock();
  const signIn = await inMemorySignIn(clock);
  const users = signIn.users;
  await users.create({ ...alice });
  const passkeys = new MemoryPasskeyStore();
  const challenges = new MemoryPasskeyChallengeStore();
  const deps: PasskeySignInDeps = {
    clock,
    passkeys,
    challenges,
    rp: { id: RP_ID, name: 'Test', origins: [ORIGIN] },
    limiter: new MemoryRateLimiter(clock),
    limits: { maxOptionsPerIp: 3, windowSeconds: 900 },
    signIn,
  };
  return { deps, clock, users, passkeys, challenges };
}

async function registered(deps: PasskeySignInDeps, auth = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID })) {
  const options = await registrationOptions(deps, caller);
  const stored = await verifyRegistration(deps, caller, { response: auth.register(options), name: 'Laptop' });
  return { auth, stored, options };
}

const codeOf = async (p: Promise<unknown>) => {
  const e = await p.catch((x: unknown) => x);
  if (!(e instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(e)}`);
  return { code: e.code, status: e.status, message: e.message };
};

describe('Passkey registration', () => {
  it('S67 S68 S71: options ask for a discoverable, user-verified key, attestation none, ES256/EdDSA/RS256, a ≥128-bit challenge', async () => {
    const { deps } = await setup();
    const options = await registrationOptions(deps, caller);
    expect(options.rp).toEqual({ id: RP_ID, name: 'Test' });
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8, -257]);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.attestation).toBe('none');
    expect(Buffer.from(options.challenge, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(options.excludeCredentials).toEqual([]);
  });

  it('S70 S71: stores the public key and counter (never a private key); the same credential again is 409; excludeCredentials lists it', async () => {
    const { deps, passkeys } = await setup();
    const { auth, stored } = await registered(deps);
    expect(stored).toMatchObject({ id: auth.id, name: 'Laptop' });
    const item = passkeys.items.get(auth.id)!;
    expect(item).toMatchObject({ userId: alice.id, counter: 0, backedUp: true, transports: ['internal'] });
    expect(JSON.stringify(item)).not.toMatch(/"d"|private/i);
    const again = await registrationOptions(deps, caller);
    expect(again.excludeCredentials?.map((c) => c.id)).toEqual([auth.id]);
    const result = await codeOf(verifyRegistration(deps, caller, { response: auth.register(again) }));
    expect(result).toMatchObject({ code: 'passkey_exists', status: 409 });
    expect((await listPasskeys(deps, alice.id)).passkeys).toEqual([
      { id: auth.id, name: 'Laptop', createdAt: expect.any(String) as string, lastUsedAt: null, backedUp: true },
    ]);
  });

  it.each([
    ['S68: without user verification', { userVerified: false }],
    ['S67: from an origin not in WEBAUTHN_ORIGINS', { origin: 'https://evil.example' }],
    ['S67: for another RP ID', { rpId: 'evil.example' }],
    ['S67: of the wrong ceremony type', { type: 'webauthn.get' }],
  ])('%s is refused with 400 invalid_passkey', async (_name, overrides) => {
    const { deps, passkeys } = await setup();
    const auth = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const options = await registrationOptions(deps, caller);
    const result = await codeOf(verifyRegistration(deps, caller, { response: auth.register(options, overrides) }));
    expect(result).toMatchObject({ code: 'invalid_passkey', status: 400 });
    expect(passkeys.items.size).toBe(0);
  });

  it('S67: a registration challenge is single use and bound to the user who asked for it', async () => {
    const { deps } = await setup();
    const auth = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const options = await registrationOptions(deps, caller);
    const other = { ...caller, userId: 'u-mallory' };
    expect((await codeOf(verifyRegistration(deps, other, { response: auth.register(options) }))).code).toBe(
      'invalid_passkey',
    );
    // Consumed by that attempt: the owner cannot use it either.
    expect((await codeOf(verifyRegistration(deps, caller, { response: auth.register(options) }))).code).toBe(
      'invalid_passkey',
    );
  });
});

describe('Passkey sign-in', () => {
  it('S68 S64: a user-verified passkey signs in through the funnel, amr has pop and mfa; a security event names it', async () => {
    const { deps } = await setup();
    const { auth } = await registered(deps);
    const events = vi.spyOn(log, 'securityEvent');
    const options = await authenticationOptions(deps, '192.0.2.1');
    expect(options.allowCredentials).toEqual([]);
    expect(options.userVerification).toBe('required');
    const result = await signInWithPasskey(deps, auth.assert(options));
    expect(result.kind).toBe('session');
    expect(claims(result.tokens.accessToken)).toMatchObject({ sub: alice.id, amr: ['pop', 'mfa'] });
    expect(events.mock.calls.map((c) => c[0])).toEqual(expect.arrayContaining(['passkey_used', 'login_success']));
    events.mockRestore();
  });

  it('S68: never mfa_required, even for an account with another confirmed factor', async () => {
    const { deps } = await setup();
    const { auth } = await registered(deps);
    deps.signIn.mfaGate = {
      clock: deps.clock,
      mfa: {
        get: () => Promise.resolve({ userId: alice.id, factors: [], recoveryCodeHashes: ['x'] }),
      } as never,
      challenges: { create: () => Promise.resolve() } as never,
      limits: { tokenTtlSeconds: 300 },
      passkeys: deps.passkeys,
      policy: 'required',
    };
    const result = await signInWithPasskey(deps, auth.assert(await authenticationOptions(deps, 'ip')));
    expect(result.kind).toBe('session');
  });

  it('S67: a sign-in challenge is consumed once: of 5 concurrent verifies exactly one wins', async () => {
    const { deps } = await setup();
    const { auth } = await registered(deps);
    const options = await authenticationOptions(deps, 'ip');
    const responses = Array.from({ length: 5 }, (_, i) => auth.assert(options, { counter: i + 1 }));
    const results = await Promise.allSettled(responses.map((r) => signInWithPasskey(deps, r)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('S67 S69: a response to a spent challenge moves no counter (the passkey is read beside the consumption, never used)', async () => {
    const { deps } = await setup();
    const { auth } = await registered(deps);
    const options = await authenticationOptions(deps, 'ip');
    expect((await signInWithPasskey(deps, auth.assert(options, { counter: 5 }))).kind).toBe('session');
    expect((await codeOf(signInWithPasskey(deps, auth.assert(options, { counter: 9 })))).code).toBe('invalid_passkey');
    // Had the replay moved the counter to 9, this 6 would be a regression.
    const next = await signInWithPasskey(deps, auth.assert(await authenticationOptions(deps, 'ip'), { counter: 6 }));
    expect(next.kind).toBe('session');
  });

  it('S69: a counter that goes backwards is refused and raised as a security event; 0 and 0 is allowed', async () => {
    const { deps } = await setup();
    const { auth } = await registered(deps);
    await signInWithPasskey(deps, auth.assert(await authenticationOptions(deps, 'ip'), { counter: 5 }));
    const events = vi.spyOn(log, 'securityEvent');
    const result = await codeOf(
      signInWithPasskey(deps, auth.assert(await authenticationOptions(deps, 'ip'), { counter: 3 })),
    );
    expect(result).toMatchObject({ code: 'invalid_passkey', status: 401 });
    expect(events.mock.calls.some((c) => c[0] === 'passkey_counter_regression')).toBe(true);
    events.mockRestore();

    const { deps: fresh } = await setup();
    const zero = (await registered(fresh)).auth;
    for (let i = 0; i < 2; i++) {
      const r = await signInWithPasskey(fresh, zero.assert(await authenticationOptions(fresh, 'ip'), { counter: 0 }));
      expect(r.kind).toBe('session');
    }
  });

  it('S73: unknown credential, bad signature, wrong origin or rpId, no UV, used or unknown challenge: one generic 401', async () => {
    const { deps } = await setup();
    deps.limits = { maxOptionsPerIp: 100, windowSeconds: 900 };
    const { auth } = await registered(deps);
    const stranger = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const cases = [
      () => stranger.assert({ challenge: '' }),
      async () => stranger.assert(await authenticationOptions(deps, 'ip')),
      async () => auth.assert(await authenticationOptions(deps, 'ip'), { badSignature: true }),
      async () => auth.assert(await authenticationOptions(deps, 'ip'), { origin: 'https://evil.example' }),
      async () => auth.assert(await authenticationOptions(deps, 'ip'), { rpId: 'evil.example' }),
      async () => auth.assert(await authenticationOptions(deps, 'ip'), { userVerified: false }),
      () => auth.assert({ challenge: 'never-issued-challenge' }),
    ];
    const limited = deps;
    const seen = new Set<string>();
    for (const make of cases) {
      const r = await codeOf(signInWithPasskey(limited, await make()));
      seen.add(JSON.stringify(r));
    }
    // A used challenge.
    const options = await authenticationOptions(limited, 'ip');
    await signInWithPasskey(limited, auth.assert(options));
    seen.add(JSON.stringify(await codeOf(signInWithPasskey(limited, auth.assert(options)))));
    expect(seen.size).toBe(1);
    expect(JSON.parse([...seen][0])).toMatchObject({ code: 'invalid_passkey', status: 401 });
  });

  it('S67: an expired challenge (over 5 minutes) is refused', async () => {
    const { deps, clock } = await setup();
    const { auth } = await registered(deps);
    const options = await authenticationOptions(deps, 'ip');
    clock.advance(301);
    expect((await codeOf(signInWithPasskey(deps, auth.assert(options)))).code).toBe('invalid_passkey');
  });

  it('a disabled account is refused by the funnel (403 account_disabled)', async () => {
    const { deps, users } = await setup();
    const { auth } = await registered(deps);
    await users.setDisabled(alice.id, true);
    const r = await codeOf(signInWithPasskey(deps, auth.assert(await authenticationOptions(deps, 'ip'))));
    expect(r).toMatchObject({ code: 'account_disabled', status: 403 });
  });

  it('S69: the counter moves with the session only: a refused sign-in (disabled account) leaves it where it was', async () => {
    const { deps, users } = await setup();
    const { auth } = await registered(deps);
    await users.setDisabled(alice.id, true);
    const refused = await codeOf(
      signInWithPasskey(deps, auth.assert(await authenticationOptions(deps, 'ip'), { counter: 4 })),
    );
    expect(refused.code).toBe('account_disabled');
    await users.setDisabled(alice.id, false);
    const again = await signInWithPasskey(deps, auth.assert(await authenticationOptions(deps, 'ip'), { counter: 4 }));
    expect(again.kind).toBe('session');
  });

  it('options are limited per IP (429)', async () => {
    const { deps } = await setup();
    for (let i = 0; i < 3; i++) await authenticationOptions(deps, '198.51.100.1');
    expect((await codeOf(authenticationOptions(deps, '198.51.100.1'))).status).toBe(429);
    await authenticationOptions(deps, '198.51.100.2');
  });
});

describe('Passkey removal', () => {
  const removeDeps = (deps: PasskeySignInDeps, other = false) => ({
    ...deps,
    recentSeconds: 300,
    hasOtherFactor: () => Promise.resolve(other),
  });

  it('S72: the last factor needs a recent multi-factor sign-in; with another factor a session is enough', async () => {
    const { deps, clock } = await setup();
    const { auth } = await registered(deps);
    const now = Math.floor(clock.now() / 1000);
    const stale = { ...caller, amr: ['pop', 'mfa'], authTime: now - 301 };
    expect((await codeOf(removePasskey(removeDeps(deps), stale, auth.id))).code).toBe('reauthentication_required');
    expect((await codeOf(removePasskey(removeDeps(deps), caller, auth.id))).status).toBe(403);
    await removePasskey(removeDeps(deps, true), caller, auth.id);
    expect((await listPasskeys(deps, alice.id)).passkeys).toEqual([]);
    const second = (await registered(deps)).auth;
    await removePasskey(removeDeps(deps), { ...caller, amr: ['pop', 'mfa'], authTime: now }, second.id);
    expect((await codeOf(removePasskey(removeDeps(deps), caller, 'unknown'))).code).toBe('not_found');
  });

  it("S72: another user's passkey is not found", async () => {
    const { deps } = await setup();
    const { auth } = await registered(deps);
    const r = await codeOf(removePasskey(removeDeps(deps, true), { ...caller, userId: 'u-mallory' }, auth.id));
    expect(r.code).toBe('not_found');
  });
});

/**
 * One contract per port, run against the in-memory fakes (memory-stores.test.ts) and DynamoDB Local
 * (dynamo-stores.test.ts): a fake that passes it behaves like the real store where the domain can tell.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConditionFailedError } from '../../shared/domain/errors.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { EmailTokenRecord, EmailTokenStore } from '../../shared/ports/email-token-store.js';
import type { RateLimiter } from '../../shared/ports/rate-limiter.js';
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore } from '../../shared/ports/refresh-token-store.js';
import type { User, UserStore } from '../../shared/ports/user-store.js';
import type { OAuthIdentity } from '../../shared/ports/oauth-identity.js';
import type { OAuthTransaction, OAuthTransactionStore } from '../../shared/ports/oauth-transaction-store.js';

/**
 * Epoch seconds a year ahead: every `expiresAt` written by these tests is in the real future, so DynamoDB
 * Local's TTL sweeper (which really deletes) never removes an item mid-test. Expiry is exercised through
 * the `now` each call is given.
 */
const T0 = Math.floor(Date.now() / 1000) + 365 * 24 * 3600;
const IDLE = 3_600;
const ABSOLUTE = 86_400;

export interface TestClock extends Clock {
  set(epochSeconds: number): void;
}

export function testClock(epochSeconds = T0): TestClock {
  let ms = epochSeconds * 1000;
  return { now: () => ms, set: (s) => (ms = s * 1000) };
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function newUser(email = `${randomUUID()}@example.com`): User {
  return {
    id: randomUUID(),
    email,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    roles: ['user'],
    emailVerified: false,
    createdAt: T0 * 1000,
  };
}

function newFamily(userId = randomUUID(), now = T0): RefreshFamily {
  return { familyId: randomUUID(), userId, createdAt: now, expiresAt: now + ABSOLUTE };
}

/** A token of `family` issued at `now`; `raw` is what a client would hold, only its hash is stored. */
function newToken(family: RefreshFamily, now: number): { raw: string; record: RefreshTokenRecord } {
  const raw = `rt_${randomBytes(32).toString('base64url')}`;
  const record: RefreshTokenRecord = {
    tokenHash: sha256Hex(raw),
    userId: family.userId,
    familyId: family.familyId,
    status: 'active',
    issuedAt: now,
    expiresAt: Math.min(now + IDLE, family.expiresAt),
    familyExpiresAt: family.expiresAt,
  };
  return { raw, record };
}

/** Settles `attempt` and returns its error (undefined when it succeeded), so Act and Assess stay apart. */
const failure = (attempt: Promise<unknown>): Promise<unknown> =>
  attempt.then(
    () => undefined,
    (e: unknown) => e,
  );

async function outcomes(attempts: Promise<unknown>[]) {
  const settled = await Promise.allSettled(attempts);
  const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  return { fulfilled: settled.length - rejected.length, errors: rejected.map((r) => r.reason as unknown) };
}

export function userStoreContract(name: string, make: () => Promise<UserStore>): void {
  describe(`Class: ${name} (UserStore contract)`, () => {
    it('finds a created user by email and by id', async () => {
      // Prepare
      const store = await make();
      const user = newUser();
      const { passwordHash: _, ...withoutPassword } = newUser();

      // Act
      await store.create(user);
      await store.create(withoutPassword);

      // Assess
      expect(await store.findByEmail(user.email)).toEqual(user);
      expect(await store.findById(user.id)).toEqual(user);
      expect(await store.findById(withoutPassword.id)).toEqual(withoutPassword);
    });

    it('returns undefined for an unknown email or id', async () => {
      // Prepare
      const store = await make();

      // Act
      const [byEmail, byId] = await Promise.all([
        store.findByEmail('nobody@example.com'),
        store.findById(randomUUID()),
      ]);

      // Assess
      expect(byEmail).toBeUndefined();
      expect(byId).toBeUndefined();
    });

    it('throws ConditionFailedError when the email is taken, and keeps the first account', async () => {
      // Prepare
      const store = await make();
      const first = newUser();
      await store.create(first);

      // Act
      const second = await failure(store.create(newUser(first.email)));

      // Assess
      expect(second).toBeInstanceOf(ConditionFailedError);
      expect(await store.findByEmail(first.email)).toEqual(first);
    });

    it('lets exactly one of 10 concurrent sign-ups for one email win', async () => {
      // Prepare
      const store = await make();
      const email = `${randomUUID()}@example.com`;
      const users = Array.from({ length: 10 }, () => newUser(email));

      // Act
      const { fulfilled, errors } = await outcomes(users.map((u) => store.create(u)));

      // Assess
      expect(fulfilled).toBe(1);
      expect(errors).toHaveLength(9);
      for (const e of errors) expect(e).toBeInstanceOf(ConditionFailedError);
      const owner = await store.findByEmail(email);
      expect(users.map((u) => u.id)).toContain(owner?.id);
      const losers = await Promise.all(users.filter((u) => u.id !== owner?.id).map((u) => store.findById(u.id)));
      expect(losers.every((u) => u === undefined)).toBe(true);
    });

    it('updates the password hash, and throws ConditionFailedError for an unknown user', async () => {
      // Prepare
      const store = await make();
      const user = newUser();
      await store.create(user);

      // Act
      await store.updatePasswordHash(user.id, 'new-hash');
      const unknown = await failure(store.updatePasswordHash(randomUUID(), 'new-hash'));

      // Assess
      expect((await store.findByEmail(user.email))?.passwordHash).toBe('new-hash');
      expect(unknown).toBeInstanceOf(ConditionFailedError);
    });

    it('sets roles and the disabled flag, and answers undefined for an unknown user without creating one', async () => {
      // Prepare
      const store = await make();
      const user = newUser();
      await store.create(user);

      // Act
      const withRoles = await store.setRoles(user.id, ['user', 'admin']);
      const disabled = await store.setDisabled(user.id, true);
      const unknownId = randomUUID();
      const unknown = await store.setRoles(unknownId, ['admin']);

      // Assess
      expect(withRoles?.roles).toEqual(['user', 'admin']);
      expect(disabled?.disabled).toBe(true);
      expect(await store.findByEmail(user.email)).toMatchObject({ roles: ['user', 'admin'], disabled: true });
      expect((await store.setDisabled(user.id, false))?.disabled).toBeFalsy();
      expect(unknown).toBeUndefined();
      expect(await store.findById(unknownId)).toBeUndefined();
    });

    it('markEmailVerified sets emailVerified, and throws ConditionFailedError for an unknown user', async () => {
      // Prepare
      const store = await make();
      const user = newUser();
      await store.create(user);

      // Act
      await store.markEmailVerified(user.id);
      await store.markEmailVerified(user.id);
      const unknown = await failure(store.markEmailVerified(randomUUID()));

      // Assess
      expect(await store.findById(user.id)).toEqual({ ...user, emailVerified: true });
      expect(unknown).toBeInstanceOf(ConditionFailedError);
      expect(await store.findById(randomUUID())).toBeUndefined();
    });

    it('S52: claimAddress verifies and drops the password once; a verified or unknown account is left alone', async () => {
      // Prepare
      const store = await make();
      const unverified = { ...newUser(), passwordHash: '$argon2id$pre-proof' };
      const verified = { ...newUser(), passwordHash: '$argon2id$kept', emailVerified: true };
      await store.create(unverified);
      await store.create(verified);

      // Act
      const first = await store.claimAddress(unverified.id);
      const second = await store.claimAddress(unverified.id);
      const already = await store.claimAddress(verified.id);
      const unknown = await store.claimAddress(randomUUID());

      // Assess
      const { passwordHash: _dropped, ...claimed } = { ...unverified, emailVerified: true };
      expect(first).toEqual(claimed);
      expect(await store.findById(unverified.id)).toEqual(claimed);
      expect([second, already, unknown]).toEqual([undefined, undefined, undefined]);
      expect(await store.findById(verified.id)).toEqual(verified);
      expect(await store.findById(randomUUID())).toBeUndefined();
    });

    it('S52: of 5 concurrent claims of one address, exactly one makes the proof', async () => {
      const store = await make();
      const user = { ...newUser(), passwordHash: '$argon2id$pre-proof' };
      await store.create(user);
      const results = await Promise.all(Array.from({ length: 5 }, () => store.claimAddress(user.id)));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });
  });
}

export interface RefreshStoreHarness {
  store: RefreshTokenStore;
  /** Every stored item, as a scan of the table returns it. */
  scan(): Promise<unknown[]>;
}

export function refreshTokenStoreContract(name: string, make: (clock: Clock) => Promise<RefreshStoreHarness>): void {
  /** A store holding one fresh family and its first token. */
  async function withFamily(clock = testClock()) {
    const { store, scan } = await make(clock);
    const family = newFamily();
    const first = newToken(family, T0);
    await store.createFamily(family, first.record);
    return { store, scan, clock, family, first: first.record };
  }

  describe(`Class: ${name} (RefreshTokenStore contract)`, () => {
    it('stores a family with its first token, readable by hash', async () => {
      // Prepare
      const { store, family, first } = await withFamily();

      // Act
      const read = await store.get(first.tokenHash);

      // Assess
      expect(read).toEqual(first);
      expect(await store.isFamilyActive(family.familyId)).toBe(true);
      expect(await store.get(sha256Hex('unknown'))).toBeUndefined();
    });

    it('throws ConditionFailedError when the family or the first token already exists', async () => {
      // Prepare
      const { store, family, first } = await withFamily();

      // Act
      const sameFamily = await failure(store.createFamily(family, newToken(family, T0).record));
      const sameToken = await failure(store.createFamily(newFamily(), first));

      // Assess
      expect(sameFamily).toBeInstanceOf(ConditionFailedError);
      expect(sameToken).toBeInstanceOf(ConditionFailedError);
    });

    it('S22: rotate retires the presented token and stores its successor, once', async () => {
      // Prepare
      const { store, family, first } = await withFamily();
      const successor = newToken(family, T0 + 10).record;

      // Act
      await store.rotate(first, successor, T0 + 10);
      const again = await failure(store.rotate(first, newToken(family, T0 + 11).record, T0 + 11));

      // Assess
      expect(await store.get(first.tokenHash)).toEqual({
        ...first,
        status: 'rotated',
        rotatedAt: T0 + 10,
        successorHash: successor.tokenHash,
      });
      expect(await store.get(successor.tokenHash)).toEqual(successor);
      expect(again).toBeInstanceOf(ConditionFailedError);
    });

    it('S25: 20 parallel rotations of one token yield exactly one successor', async () => {
      // Prepare
      const { store, family, first } = await withFamily();
      const successors = Array.from({ length: 20 }, () => newToken(family, T0 + 10).record);

      // Act
      const { fulfilled, errors } = await outcomes(successors.map((s) => store.rotate(first, s, T0 + 10)));

      // Assess
      expect(fulfilled).toBe(1);
      for (const e of errors) expect(e).toBeInstanceOf(ConditionFailedError);
      const stored = (await Promise.all(successors.map((s) => store.get(s.tokenHash)))).filter((s) => s !== undefined);
      expect(stored).toHaveLength(1);
      expect((await store.get(first.tokenHash))?.successorHash).toBe(stored[0]?.tokenHash);
    });

    it('S23: rotate is refused once the family is revoked, and changes nothing', async () => {
      // Prepare
      const { store, family, first } = await withFamily();
      await store.revokeFamily(family.familyId, T0 + 5);
      const successor = newToken(family, T0 + 10).record;

      // Act
      const rotation = await failure(store.rotate(first, successor, T0 + 10));

      // Assess
      expect(rotation).toBeInstanceOf(ConditionFailedError);
      expect(await store.get(first.tokenHash)).toEqual(first);
      expect(await store.get(successor.tokenHash)).toBeUndefined();
    });

    it('S26: rotate is refused at or after expiresAt although the item still exists', async () => {
      // Prepare
      const { store, family, first } = await withFamily();

      // Act
      const atIdleExpiry = await failure(
        store.rotate(first, newToken(family, first.expiresAt).record, first.expiresAt),
      );

      // Assess
      expect(atIdleExpiry).toBeInstanceOf(ConditionFailedError);
      expect(await store.get(first.tokenHash)).toEqual(first);
    });

    it('S26: rotate is refused once the family is past its absolute expiry', async () => {
      // Prepare: a token whose idle expiry outlives its family's absolute expiry (only the family check can refuse)
      const { store } = await make(testClock());
      const family = { ...newFamily(), expiresAt: T0 + 100 };
      const token = { ...newToken(family, T0).record, expiresAt: T0 + IDLE, familyExpiresAt: T0 + IDLE };
      await store.createFamily(family, token);

      // Act
      const rotation = await failure(store.rotate(token, newToken(family, T0 + 100).record, T0 + 100));

      // Assess
      expect(rotation).toBeInstanceOf(ConditionFailedError);
      expect(await store.isFamilyActive(family.familyId)).toBe(true); // the clock still says T0
    });

    it('S24: rotateWithinGrace serves the immediate predecessor inside the window only', async () => {
      // Prepare: first → second at T0+10
      const { store, family, first } = await withFamily();
      const second = newToken(family, T0 + 10).record;
      await store.rotate(first, second, T0 + 10);
      const presented = (await store.get(first.tokenHash))!;
      const sibling = newToken(family, T0 + 15).record;

      // Act
      const outside = await failure(store.rotateWithinGrace(presented, newToken(family, T0 + 15).record, T0 + 11));
      await store.rotateWithinGrace(presented, sibling, T0 + 5);

      // Assess
      expect(outside).toBeInstanceOf(ConditionFailedError);
      expect(await store.get(sibling.tokenHash)).toEqual(sibling);
      expect((await store.get(second.tokenHash))?.status).toBe('superseded');
    });

    it('S57: rotateWithinGrace retires the previous successor and repoints the predecessor, in one step', async () => {
      // Prepare: first → second at T0+10
      const { store, family, first } = await withFamily();
      const second = newToken(family, T0 + 10).record;
      await store.rotate(first, second, T0 + 10);
      const presented = (await store.get(first.tokenHash))!;
      const sibling = newToken(family, T0 + 12).record;

      // Act
      await store.rotateWithinGrace(presented, sibling, T0 + 5);
      const stale = await failure(store.rotateWithinGrace(presented, newToken(family, T0 + 13).record, T0 + 5));

      // Assess
      expect(await store.get(second.tokenHash)).toEqual({
        ...second,
        status: 'superseded',
        supersededAt: T0 + 12,
        predecessorHash: first.tokenHash,
      });
      expect(await store.get(first.tokenHash)).toEqual({ ...presented, successorHash: sibling.tokenHash });
      expect(await store.get(sibling.tokenHash)).toEqual(sibling);
      expect(stale).toBeInstanceOf(ConditionFailedError); // the pointer it read has moved
    });

    it('S57: of 8 concurrent rotateWithinGrace on one pointer exactly one wins; the family keeps one live token', async () => {
      // Prepare
      const { store, scan, family, first } = await withFamily();
      await store.rotate(first, newToken(family, T0 + 10).record, T0 + 10);
      const presented = (await store.get(first.tokenHash))!;
      const siblings = Array.from({ length: 8 }, () => newToken(family, T0 + 11).record);

      // Act
      const { fulfilled, errors } = await outcomes(siblings.map((t) => store.rotateWithinGrace(presented, t, T0 + 5)));

      // Assess
      expect(fulfilled).toBe(1);
      for (const e of errors) expect(e).toBeInstanceOf(ConditionFailedError);
      const live = (await scan()).filter(
        (i) => (i as RefreshTokenRecord).familyId === family.familyId && (i as RefreshTokenRecord).status === 'active',
      );
      expect(live).toHaveLength(1);
      expect((await store.get(first.tokenHash))?.successorHash).toBe((live[0] as RefreshTokenRecord).tokenHash);
    });

    it('S24: rotateWithinGrace refuses an older ancestor, a token never rotated and a revoked family', async () => {
      // Prepare: first → second at T0+10 → third at T0+20
      const { store, family, first } = await withFamily();
      const second = newToken(family, T0 + 10).record;
      const third = newToken(family, T0 + 20).record;
      await store.rotate(first, second, T0 + 10);
      await store.rotate(second, third, T0 + 20);
      const [ancestor, predecessor] = [(await store.get(first.tokenHash))!, (await store.get(second.tokenHash))!];

      // Act
      const fromAncestor = await failure(store.rotateWithinGrace(ancestor, newToken(family, T0 + 21).record, T0));
      const fromActive = await failure(store.rotateWithinGrace(third, newToken(family, T0 + 21).record, T0));
      const fromPredecessor = await failure(store.rotateWithinGrace(predecessor, newToken(family, T0 + 21).record, T0));
      await store.revokeFamily(family.familyId, T0 + 22);
      const afterRevocation = await failure(store.rotateWithinGrace(predecessor, newToken(family, T0 + 23).record, T0));

      // Assess
      expect(fromAncestor).toBeInstanceOf(ConditionFailedError);
      expect(fromActive).toBeInstanceOf(ConditionFailedError);
      expect(fromPredecessor).toBeUndefined();
      expect(afterRevocation).toBeInstanceOf(ConditionFailedError);
    });

    it('S23: revokeFamily ends the family; revoking an unknown family is a no-op', async () => {
      // Prepare
      const { store, family } = await withFamily();

      // Act
      await store.revokeFamily(family.familyId, T0 + 1);
      await store.revokeFamily(family.familyId, T0 + 2);
      await store.revokeFamily(randomUUID(), T0 + 1);

      // Assess
      expect(await store.isFamilyActive(family.familyId)).toBe(false);
      expect(await store.isFamilyActive(randomUUID())).toBe(false);
    });

    it('S26: isFamilyActive is false once the clock passes the absolute expiry', async () => {
      // Prepare
      const { store, family, clock } = await withFamily();

      // Act
      clock.set(family.expiresAt);

      // Assess
      expect(await store.isFamilyActive(family.familyId)).toBe(false);
    });

    it("S27: revokeAllForUser revokes every family of the user and none of another user's", async () => {
      // Prepare
      const { store } = await make(testClock());
      const userId = randomUUID();
      const mine = [newFamily(userId), newFamily(userId), newFamily(userId)];
      const theirs = newFamily();
      for (const f of [...mine, theirs]) await store.createFamily(f, newToken(f, T0).record);
      await store.revokeFamily(mine[0].familyId, T0 + 1);

      // Act
      const revoked = await store.revokeAllForUser(userId, T0 + 2);
      const again = await store.revokeAllForUser(userId, T0 + 3);

      // Assess
      expect(revoked).toBe(2);
      expect(again).toBe(0);
      for (const f of mine) expect(await store.isFamilyActive(f.familyId)).toBe(false);
      expect(await store.isFamilyActive(theirs.familyId)).toBe(true);
    });

    it('S21: no stored attribute contains a raw refresh token', async () => {
      // Prepare
      const { store, scan } = await make(testClock());
      const family = newFamily();
      const first = newToken(family, T0);
      const successor = newToken(family, T0 + 10);

      // Act
      await store.createFamily(family, first.record);
      await store.rotate(first.record, successor.record, T0 + 10);
      const stored = JSON.stringify(await scan());

      // Assess
      expect(stored).toContain(first.record.tokenHash);
      expect(stored).not.toContain(first.raw);
      expect(stored).not.toContain(successor.raw);
      expect(stored).not.toContain(first.raw.slice(3)); // nor its random part without the prefix
    });
  });
}

export function rateLimiterContract(name: string, make: (clock: Clock) => Promise<RateLimiter>): void {
  const WINDOW = 60;
  /** A clock `offset` seconds into a window. */
  const inWindow = (offset: number) => testClock(Math.floor(T0 / WINDOW) * WINDOW + offset);

  describe(`Class: ${name} (RateLimiter contract)`, () => {
    it('S4: allows exactly 5 of 30 concurrent attempts with limit 5', async () => {
      // Prepare
      const limiter = await make(inWindow(10));
      const key = `login:account:${randomUUID()}`;

      // Act
      const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter.consume(key, 5, WINDOW)));

      // Assess
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
      expect(decisions.filter((d) => d.allowed).every((d) => d.retryAfterSeconds === 0)).toBe(true);
    });

    it('S4: a refusal says how long until the window ends', async () => {
      // Prepare
      const limiter = await make(inWindow(10));
      const key = `login:ip:${randomUUID()}`;
      await limiter.consume(key, 1, WINDOW);

      // Act
      const refused = await limiter.consume(key, 1, WINDOW);

      // Assess
      expect(refused).toEqual({ allowed: false, retryAfterSeconds: WINDOW - 10 });
    });

    it('S4: allows again after reset, and in the next window', async () => {
      // Prepare
      const clock = inWindow(59);
      const limiter = await make(clock);
      const key = `login:account:${randomUUID()}`;
      await limiter.consume(key, 1, WINDOW);
      const lockedAtEnd = await limiter.consume(key, 1, WINDOW);

      // Act
      await limiter.reset(key, WINDOW);
      const afterReset = await limiter.consume(key, 1, WINDOW);
      clock.set(clock.now() / 1000 + 1);
      const nextWindow = await limiter.consume(key, 1, WINDOW);

      // Assess
      expect(lockedAtEnd).toEqual({ allowed: false, retryAfterSeconds: 1 });
      expect(afterReset.allowed).toBe(true);
      expect(nextWindow.allowed).toBe(true);
    });

    it('S4: counts each key on its own', async () => {
      // Prepare
      const limiter = await make(inWindow(0));
      const [a, b] = [randomUUID(), randomUUID()];
      await limiter.consume(a, 1, WINDOW);

      // Act
      const other = await limiter.consume(b, 1, WINDOW);

      // Assess
      expect(other.allowed).toBe(true);
      expect((await limiter.consume(a, 1, WINDOW)).allowed).toBe(false);
    });
  });
}

const newIdentity = (): OAuthIdentity => ({ issuer: 'https://idp.example.com', subject: randomUUID() });

/** The identity methods of `UserStore` (social sign-in, S38). */
export function userIdentityContract(name: string, make: () => Promise<UserStore>): void {
  describe(`Class: ${name} (UserStore identities contract)`, () => {
    it('S38: creates a user with its identity in one step and finds it by (issuer, subject)', async () => {
      // Prepare
      const store = await make();
      const { passwordHash: _, ...user } = newUser();
      const identity = newIdentity();

      // Act
      await store.createWithIdentity({ ...user, emailVerified: true }, identity);

      // Assess
      expect(await store.findByIdentity(identity)).toEqual({ ...user, emailVerified: true });
      expect(await store.findByEmail(user.email)).toEqual({ ...user, emailVerified: true });
      expect(
        await store.findByIdentity({ issuer: 'https://other.example.com', subject: identity.subject }),
      ).toBeUndefined();
    });

    it('S38: createWithIdentity throws ConditionFailedError and writes nothing when the email or the identity is taken', async () => {
      // Prepare
      const store = await make();
      const first = newUser();
      const identity = newIdentity();
      await store.createWithIdentity(first, identity);
      const sameEmail = newUser(first.email);
      const sameIdentity = newUser();

      // Act
      const e1 = await failure(store.createWithIdentity(sameEmail, newIdentity()));
      const e2 = await failure(store.createWithIdentity(sameIdentity, identity));

      // Assess
      expect(e1).toBeInstanceOf(ConditionFailedError);
      expect(e2).toBeInstanceOf(ConditionFailedError);
      expect(await store.findById(sameEmail.id)).toBeUndefined();
      expect(await store.findById(sameIdentity.id)).toBeUndefined();
      expect(await store.findByEmail(sameIdentity.email)).toBeUndefined();
      expect((await store.findByIdentity(identity))?.id).toBe(first.id);
    });

    it('S38: links an identity to an existing user once; a second link or an unknown user throws', async () => {
      // Prepare
      const store = await make();
      const user = newUser();
      const other = newUser();
      await store.create(user);
      await store.create(other);
      const identity = newIdentity();

      // Act
      await store.linkIdentity(user.id, identity);
      const again = await failure(store.linkIdentity(other.id, identity));
      const unknown = await failure(store.linkIdentity(randomUUID(), newIdentity()));

      // Assess
      expect((await store.findByIdentity(identity))?.id).toBe(user.id);
      expect(again).toBeInstanceOf(ConditionFailedError);
      expect(unknown).toBeInstanceOf(ConditionFailedError);
    });

    it('S38: of 5 concurrent links of one identity, exactly one wins', async () => {
      // Prepare
      const store = await make();
      const users = Array.from({ length: 5 }, () => newUser());
      for (const u of users) await store.create(u);
      const identity = newIdentity();

      // Act
      const { fulfilled, errors } = await outcomes(users.map((u) => store.linkIdentity(u.id, identity)));

      // Assess
      expect(fulfilled).toBe(1);
      for (const e of errors) expect(e).toBeInstanceOf(ConditionFailedError);
    });
  });
}

function newTransaction(now = T0): OAuthTransaction {
  return {
    stateHash: sha256Hex(randomBytes(32).toString('base64url')),
    provider: 'dev',
    issuer: 'https://idp.example.com',
    codeVerifier: randomBytes(32).toString('base64url'),
    nonce: randomBytes(32).toString('base64url'),
    redirectTo: 'https://app.example.com/',
    bindingHash: sha256Hex(randomBytes(32).toString('base64url')),
    createdAt: now,
    expiresAt: now + 600,
  };
}

export function oauthTransactionStoreContract(name: string, make: () => Promise<OAuthTransactionStore>): void {
  describe(`Class: ${name} (OAuthTransactionStore contract)`, () => {
    it('S34: returns the transaction once; a second consume gets nothing', async () => {
      // Prepare
      const store = await make();
      const tx = newTransaction();
      await store.create(tx);

      // Act
      const first = await store.consume(tx.stateHash, T0);
      const second = await store.consume(tx.stateHash, T0);

      // Assess
      expect(first).toEqual(tx);
      expect(second).toBeUndefined();
    });

    it('S34: of 10 concurrent consumes, exactly one gets the transaction', async () => {
      // Prepare
      const store = await make();
      const tx = newTransaction();
      await store.create(tx);

      // Act
      const results = await Promise.all(Array.from({ length: 10 }, () => store.consume(tx.stateHash, T0)));

      // Assess
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    it('S34: refuses an expired transaction that TTL has not deleted yet, and an unknown state', async () => {
      // Prepare
      const store = await make();
      const tx = newTransaction();
      await store.create(tx);

      // Act
      const expired = await store.consume(tx.stateHash, tx.expiresAt);
      const unknown = await store.consume(sha256Hex('nope'), T0);

      // Assess
      expect(expired).toBeUndefined();
      expect(unknown).toBeUndefined();
    });

    it('throws ConditionFailedError on a colliding state hash', async () => {
      // Prepare
      const store = await make();
      const tx = newTransaction();
      await store.create(tx);

      // Act
      const e = await failure(store.create({ ...tx, nonce: 'other' }));

      // Assess
      expect(e).toBeInstanceOf(ConditionFailedError);
      expect((await store.consume(tx.stateHash, T0))?.nonce).toBe(tx.nonce);
    });
  });
}

export interface EmailTokenStoreHarness {
  store: EmailTokenStore;
  /** Every stored item, as a scan of the table returns it. */
  scan(): Promise<unknown[]>;
}

/** A link record as the domain would issue it; `raw` and `code` are what the mail carries, never stored. */
function newLink(overrides: Partial<EmailTokenRecord> = {}): { raw: string; code: string; record: EmailTokenRecord } {
  const raw = `ml_${randomBytes(32).toString('base64url')}`;
  const code = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
  const email = overrides.email ?? `${randomUUID()}@example.com`;
  const tokenHash = sha256Hex(raw);
  return {
    raw,
    code,
    record: {
      tokenHash,
      purpose: 'magic_link',
      email,
      emailHash: sha256Hex(email),
      codeHash: sha256Hex(`${tokenHash}:${code}`),
      createdAt: T0,
      expiresAt: T0 + 600,
      ...overrides,
    },
  };
}

export function emailTokenStoreContract(name: string, make: () => Promise<EmailTokenStoreHarness>): void {
  describe(`Class: ${name} (EmailTokenStore contract)`, () => {
    it('S29: stores a link readable by hash and as the latest of its address', async () => {
      // Prepare
      const { store } = await make();
      const { record } = newLink({
        userId: randomUUID(),
        redirectTo: 'https://app.example.com/x',
        bindingHash: sha256Hex('b'),
      });

      // Act
      await store.issue(record);

      // Assess
      expect(await store.get(record.tokenHash)).toEqual(record);
      expect(await store.findLatest('magic_link', record.emailHash)).toEqual(record);
      expect(await store.findLatest('password_reset', record.emailHash)).toBeUndefined();
      expect(await store.get(sha256Hex('unknown'))).toBeUndefined();
    });

    it('S30: consume succeeds once; a second consume throws ConditionFailedError', async () => {
      // Prepare
      const { store } = await make();
      const { record } = newLink();
      await store.issue(record);

      // Act
      const consumed = await store.consume(record.tokenHash, T0 + 10, 4);
      const again = await failure(store.consume(record.tokenHash, T0 + 11, 4));

      // Assess
      expect(consumed).toMatchObject({ tokenHash: record.tokenHash, usedAt: T0 + 10 });
      expect(again).toBeInstanceOf(ConditionFailedError);
      expect((await store.get(record.tokenHash))?.usedAt).toBe(T0 + 10);
    });

    it('S30: 10 parallel consumes of one link → exactly one succeeds', async () => {
      // Prepare
      const { store } = await make();
      const { record } = newLink();
      await store.issue(record);

      // Act
      const { fulfilled, errors } = await outcomes(
        Array.from({ length: 10 }, () => store.consume(record.tokenHash, T0 + 10, 4)),
      );

      // Assess
      expect(fulfilled).toBe(1);
      expect(errors).toHaveLength(9);
      for (const e of errors) expect(e).toBeInstanceOf(ConditionFailedError);
    });

    it('S29: consume is refused at or after expiresAt although the item still exists (read-time expiry)', async () => {
      // Prepare
      const { store } = await make();
      const { record } = newLink();
      await store.issue(record);

      // Act
      const atExpiry = await failure(store.consume(record.tokenHash, record.expiresAt, 4));

      // Assess
      expect(atExpiry).toBeInstanceOf(ConditionFailedError);
      expect(await store.get(record.tokenHash)).toEqual(record);
    });

    it('a newer link for the same address and purpose invalidates the older one; other purposes are untouched', async () => {
      // Prepare
      const { store } = await make();
      const email = `${randomUUID()}@example.com`;
      const older = newLink({ email }).record;
      const newer = newLink({ email }).record;
      const reset = newLink({ email, purpose: 'password_reset' }).record;
      await store.issue(older);
      await store.issue(reset);
      await store.issue(newer);

      // Act
      const olderConsume = await failure(store.consume(older.tokenHash, T0 + 1, 4));
      const newerConsume = await failure(store.consume(newer.tokenHash, T0 + 1, 4));
      const resetConsume = await failure(store.consume(reset.tokenHash, T0 + 1, 4));

      // Assess
      expect(olderConsume).toBeInstanceOf(ConditionFailedError);
      expect(newerConsume).toBeUndefined();
      expect(resetConsume).toBeUndefined();
      expect((await store.findLatest('magic_link', older.emailHash))?.tokenHash).toBe(newer.tokenHash);
    });

    it('S30: code attempts are capped under concurrency: 20 parallel reservations with cap 5 → 5 granted', async () => {
      // Prepare
      const { store } = await make();
      const { record } = newLink();
      await store.issue(record);

      // Act
      const granted = await Promise.all(
        Array.from({ length: 20 }, () => store.reserveCodeAttempt(record.tokenHash, 5)),
      );

      // Assess
      expect(granted.filter(Boolean)).toHaveLength(5);
      expect((await store.get(record.tokenHash))?.attempts).toBe(5);
      expect(await store.reserveCodeAttempt(sha256Hex('unknown'), 5)).toBe(false);
    });

    it('S30: consume respects the attempt ceiling it is given (the link dies at the code cap)', async () => {
      // Prepare
      const { store } = await make();
      const { record } = newLink();
      await store.issue(record);
      for (let i = 0; i < 5; i++) await store.reserveCodeAttempt(record.tokenHash, 5);

      // Act
      const viaToken = await failure(store.consume(record.tokenHash, T0 + 1, 4));
      const viaCode = await failure(store.consume(record.tokenHash, T0 + 1, 5));

      // Assess
      expect(viaToken).toBeInstanceOf(ConditionFailedError);
      expect(viaCode).toBeUndefined();
    });

    it('S29: no stored attribute contains the raw token or the code', async () => {
      // Prepare
      const { store, scan } = await make();
      const link = newLink();

      // Act
      await store.issue(link.record);
      await store.consume(link.record.tokenHash, T0 + 1, 4);
      const stored = JSON.stringify(await scan());

      // Assess
      expect(stored).toContain(link.record.tokenHash);
      expect(stored).not.toContain(link.raw);
      expect(stored).not.toContain(link.raw.slice(3));
      expect(stored).not.toContain(`"${link.code}"`);
    });
  });
}

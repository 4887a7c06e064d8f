/**
 * The sign-in copy on DynamoDB Local: the email item carries the account and its factors, and the address's attempt
 * count, one write reads both; the copy's parts
 * commit only while every copied item is unchanged, so a copy made stale by a change to the account (S51, S52) or
 * to its factors (S59) can never start a session on what it says.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { transactWrite } from '../../shared/adapters/dynamo/conditional.js';
import { DynamoMfaStore } from '../../shared/adapters/dynamo/mfa-store.js';
import { DynamoPasskeyStore } from '../../shared/adapters/dynamo/passkey-store.js';
import { DynamoSignInCopyStore } from '../../shared/adapters/dynamo/sign-in-copy-store.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import { AtomicPartFailedError } from '../../shared/ports/atomic-part.js';
import type { SignInCopy } from '../../shared/ports/sign-in-copy.js';
import { freshTables, type FreshTables } from '../helpers/dynamo.js';

let local: FreshTables;
let users: DynamoUserStore;
let mfa: DynamoMfaStore;
let passkeys: DynamoPasskeyStore;
let copies: DynamoSignInCopyStore;
beforeAll(async () => {
  local = await freshTables();
  const table = local.tables.USERS_TABLE;
  users = new DynamoUserStore(local.doc, table);
  mfa = new DynamoMfaStore(local.doc, table);
  passkeys = new DynamoPasskeyStore(local.doc, table);
  copies = new DynamoSignInCopyStore(local.doc, table);
});

const now = () => Math.floor(Date.now() / 1000);

async function account(overrides: { passwordHash?: string } = {}) {
  const user = {
    id: randomUUID(),
    email: `copy-${randomUUID()}@example.com`,
    passwordHash: overrides.passwordHash ?? '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    roles: ['user'],
    emailVerified: false,
    createdAt: Date.now(),
  };
  await users.create(user);
  return user;
}

/** What a sign-in's transaction does with the copy's parts: commits a marker with them, or throws `stale`. */
async function commitWith(copy: SignInCopy): Promise<'committed' | 'stale'> {
  const marker = {
    Put: { TableName: local.tables.EPHEMERAL_TABLE, Item: { pk: `MARK#${randomUUID()}`, expiresAt: now() + 60 } },
  };
  try {
    await transactWrite(local.doc, [marker], 'session', copy.unchangedParts);
    return 'committed';
  } catch (e) {
    if (e instanceof AtomicPartFailedError && e.failure === 'stale') return 'stale';
    throw e;
  }
}

/** What a sign-in's first write reads back (a limit no test here reaches). */
const read = async (email: string) => (await copies.attempt(email, 1_000_000, 900)).found;

async function readCopy(email: string): Promise<SignInCopy> {
  const found = await read(email);
  expect(found?.copy).toBeDefined();
  return found!.copy!;
}

describe('Class: DynamoSignInCopyStore', () => {
  it('a new account carries its copy from sign-up: one read gives the account, no factors, and its parts hold', async () => {
    const user = await account();
    const copy = await readCopy(user.email);
    expect(copy.user).toMatchObject({
      id: user.id,
      email: user.email,
      roles: ['user'],
      passwordHash: user.passwordHash,
    });
    expect(copy.credentials).toBeUndefined();
    expect(copy.passkeyCount).toBe(0);
    expect(await commitWith(copy)).toBe('committed');
    expect(await read(`nobody-${randomUUID()}@example.com`)).toBeUndefined();
  });

  it('S51, S52: a disablement, a role change or a proof of the address by someone else makes the copy stale', async () => {
    for (const change of [
      (id: string) => users.setDisabled(id, true),
      (id: string) => users.setRoles(id, ['user', 'admin']),
      (id: string) => users.claimAddress(id),
      (id: string) => users.updatePasswordHash(id, 'another'),
    ]) {
      const user = await account();
      const copy = await readCopy(user.email);
      await change(user.id);
      expect(await commitWith(copy)).toBe('stale');
      // The refreshed copy says what changed, and holds.
      const fresh = (await copies.refresh(user.email, user.id))!;
      expect(fresh.user).not.toEqual(copy.user);
      expect(await commitWith(fresh)).toBe('committed');
      expect((await readCopy(user.email)).user).toEqual(fresh.user);
    }
  });

  it('a new password reaches the copy with the profile, so the sign-in checks the new password, not the old', async () => {
    const user = await account();
    const before = await readCopy(user.email);
    await users.updatePasswordHash(user.id, 'new-hash');
    const after = await readCopy(user.email);
    expect(after.user.passwordHash).toBe('new-hash');
    // Still stale in every other respect until refreshed: its parts do not hold.
    expect(await commitWith(before)).toBe('stale');
    expect(await commitWith(after)).toBe('stale');
    expect((await copies.refresh(user.email, user.id))!.user.passwordHash).toBe('new-hash');
  });

  it('S59: a second factor or a passkey added after the copy makes it stale; the fresh copy has them', async () => {
    const user = await account();
    const before = await readCopy(user.email);
    await mfa.addTotp(user.id, {
      id: 'f1',
      type: 'totp',
      sealedSecret: 'v1.k.x.y.z',
      confirmed: false,
      createdAt: now(),
    });
    expect(await commitWith(before)).toBe('stale');
    const pending = (await copies.refresh(user.email, user.id))!;
    expect(pending.credentials?.factors.map((f) => f.confirmed)).toEqual([false]);
    await mfa.confirmTotp(user.id, 'f1', 1, now(), ['h1']);
    expect(await commitWith(pending)).toBe('stale');
    const confirmed = (await copies.refresh(user.email, user.id))!;
    expect(confirmed.credentials?.factors.map((f) => f.confirmed)).toEqual([true]);
    expect(confirmed.credentials?.recoveryCodeHashes).toEqual(['h1']);
    // Using a step or a code changes no factor: the copy stays current (their own conditions decide at verify).
    expect(await mfa.useTotpStep(user.id, 'f1', 2, now())).toBe(true);
    expect(await mfa.useRecoveryCode(user.id, 'h1')).toBe(true);
    expect(await commitWith(confirmed)).toBe('committed');

    const passkey = {
      id: `cred-${randomUUID()}`,
      userId: user.id,
      publicKey: 'pk',
      counter: 0,
      transports: [],
      deviceType: 'singleDevice',
      backedUp: false,
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'key',
      createdAt: now(),
    };
    expect(await passkeys.add(passkey)).toBe(true);
    expect(await commitWith(confirmed)).toBe('stale');
    const withPasskey = (await copies.refresh(user.email, user.id))!;
    expect(withPasskey.passkeyCount).toBe(1);
    expect(await commitWith(withPasskey)).toBe('committed');
    // Removing them is a change too.
    expect(await passkeys.remove(user.id, passkey.id)).toBe(true);
    expect(await commitWith(withPasskey)).toBe('stale');
    expect(await mfa.removeAll(user.id)).toBe(true);
    const none = (await copies.refresh(user.email, user.id))!;
    expect([none.credentials, none.passkeyCount]).toEqual([undefined, 0]);
    expect(await commitWith(none)).toBe('committed');
  });

  it('an account made before copies existed is read without one, and refresh writes it', async () => {
    const user = await account();
    await local.doc.send(
      new PutCommand({ TableName: local.tables.USERS_TABLE, Item: { pk: `EMAIL#${user.email}`, userId: user.id } }),
    );
    expect(await read(user.email)).toEqual({ userId: user.id });
    const copy = (await copies.refresh(user.email, user.id))!;
    expect(copy.user.id).toBe(user.id);
    expect((await readCopy(user.email)).user).toEqual(copy.user);
  });

  it('refresh writes nothing for a deleted account, nor onto a lock that points elsewhere', async () => {
    const user = await account();
    await local.doc.send(new DeleteCommand({ TableName: local.tables.USERS_TABLE, Key: { pk: `USER#${user.id}` } }));
    expect(await copies.refresh(user.email, user.id)).toBeUndefined();
    const other = await account();
    await local.doc.send(
      new UpdateCommand({
        TableName: local.tables.USERS_TABLE,
        Key: { pk: `EMAIL#${other.email}` },
        UpdateExpression: 'SET userId = :u',
        ExpressionAttributeValues: { ':u': 'someone-else' },
      }),
    );
    expect(await copies.refresh(other.email, other.id)).toBeUndefined();
  });
});

describe('Class: DynamoSignInCopyStore, attempts on the email item', () => {
  const WINDOW = 900;
  /** A store on a clock the test moves; windows start at multiples of WINDOW. */
  const atClock = () => {
    const clock = { t: (Math.floor(now() / WINDOW) * WINDOW + 100) * 1000, now: () => clock.t };
    const count = () => `attempts_${Math.floor(clock.t / 1000 / WINDOW)}`;
    return { clock, count, store: new DynamoSignInCopyStore(local.doc, local.tables.USERS_TABLE, clock) };
  };
  const emailItem = async (email: string) =>
    (await local.doc.send(new GetCommand({ TableName: local.tables.USERS_TABLE, Key: { pk: `EMAIL#${email}` } }))).Item;

  it('S4: counted up to the limit, each allowed try with the copy; then refused with the window’s Retry-After', async () => {
    const user = await account();
    const { store, count } = atClock();
    for (let i = 0; i < 3; i++) {
      const a = await store.attempt(user.email, 3, WINDOW);
      expect(a.decision.allowed).toBe(true);
      expect(a.found?.copy?.user.id).toBe(user.id);
    }
    const refused = await store.attempt(user.email, 3, WINDOW);
    expect(refused).toEqual({ decision: { allowed: false, retryAfterSeconds: WINDOW - 100 } });
    expect(await emailItem(user.email)).toMatchObject({ [count()]: 3, userId: user.id });
  });

  it('S1: an unknown address is counted and refused the same way, on an item that is no account', async () => {
    const { store } = atClock();
    const email = `nobody-${randomUUID()}@example.com`;
    for (let i = 0; i < 3; i++)
      expect(await store.attempt(email, 3, WINDOW)).toEqual({ decision: { allowed: true, retryAfterSeconds: 0 } });
    expect((await store.attempt(email, 3, WINDOW)).decision.allowed).toBe(false);
    expect(await users.findByEmail(email)).toBeUndefined();
    expect(await copies.refresh(email, randomUUID())).toBeUndefined();
    // TTL removes it after its window; an account's email item holds a string there, which TTL ignores.
    const item = (await emailItem(email))!;
    expect(item['attemptsExpireAt']).toBe((Math.floor(now() / WINDOW) + 1) * WINDOW);
    expect(item['userId']).toBeUndefined();
    const known = await account();
    await store.attempt(known.email, 3, WINDOW);
    expect(typeof (await emailItem(known.email))!['attemptsExpireAt']).toBe('string');
  });

  it('a sign-up takes an address that only had attempts: the lock replaces the count', async () => {
    const { store } = atClock();
    const email = `later-${randomUUID()}@example.com`;
    for (let i = 0; i < 3; i++) await store.attempt(email, 3, WINDOW);
    const user = { id: randomUUID(), email, passwordHash: 'h', roles: ['user'], emailVerified: false, createdAt: 1 };
    await users.create(user);
    expect((await users.findByEmail(email))?.id).toBe(user.id);
    const item = (await emailItem(email))!;
    expect(Object.keys(item).sort()).toEqual(['pk', 'signIn', 'userId']);
    const a = await store.attempt(email, 3, WINDOW);
    expect([a.decision.allowed, a.found?.copy?.user.id]).toEqual([true, user.id]);
    // A second sign-up of the same address still loses.
    await expect(users.create({ ...user, id: randomUUID() })).rejects.toThrow();
  });

  it('S4: the next window counts afresh; resetAttempts and the session’s part clear the count', async () => {
    const user = await account();
    const { clock, store } = atClock();
    for (let i = 0; i < 2; i++) await store.attempt(user.email, 2, WINDOW);
    expect((await store.attempt(user.email, 2, WINDOW)).decision.allowed).toBe(false);
    clock.t += WINDOW * 1000;
    expect((await store.attempt(user.email, 2, WINDOW)).decision.allowed).toBe(true);
    expect((await store.attempt(user.email, 2, WINDOW)).decision.allowed).toBe(true);
    expect((await store.attempt(user.email, 2, WINDOW)).decision.allowed).toBe(false);
    await store.resetAttempts(user.email, WINDOW);
    expect((await store.attempt(user.email, 2, WINDOW)).decision.allowed).toBe(true);
    expect((await store.attempt(user.email, 2, WINDOW)).decision.allowed).toBe(true);
    const marker = {
      Put: { TableName: local.tables.EPHEMERAL_TABLE, Item: { pk: `MARK#${randomUUID()}`, expiresAt: now() + 60 } },
    };
    await transactWrite(local.doc, [marker], 'session', [store.resetAttemptsPart(user.email, WINDOW)]);
    expect((await store.attempt(user.email, 2, WINDOW)).decision.allowed).toBe(true);
    // The account is untouched by all this.
    expect((await store.attempt(user.email, 1_000, WINDOW)).found?.copy?.user.id).toBe(user.id);
  });

  it('S4: a burst of 40 concurrent attempts on one address gets exactly the limit', async () => {
    const user = await account();
    const { store, count } = atClock();
    const results = await Promise.all(Array.from({ length: 40 }, () => store.attempt(user.email, 5, WINDOW)));
    expect(results.filter((r) => r.decision.allowed)).toHaveLength(5);
    expect((await emailItem(user.email))![count()]).toBe(5);
  });

  it('counts of earlier windows go with the next try; old ones past a handful are removed: the item stays small', async () => {
    const user = await account();
    const { clock, store } = atClock();
    const counts = async () =>
      Object.keys((await emailItem(user.email))!)
        .filter((k) => k.startsWith('attempts_'))
        .sort();
    await store.attempt(user.email, 3, WINDOW);
    clock.t += WINDOW * 1000;
    await store.attempt(user.email, 3, WINDOW);
    expect(await counts()).toHaveLength(1);
    // Tries a day apart leave their counts (no write removes a window that far back) until there are too many.
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      clock.t += 96 * WINDOW * 1000;
      expect((await store.attempt(user.email, 3, WINDOW)).decision.allowed).toBe(true);
      seen.push((await counts()).length);
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(9);
    expect(seen.at(-1)).toBeLessThan(9);
  });
});

/** The passkey stores on DynamoDB Local (and the memory twins, same rules): uniqueness, counters, single use. */
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoPasskeyChallengeStore } from '../../shared/adapters/dynamo/passkey-challenge-store.js';
import { DynamoPasskeyStore } from '../../shared/adapters/dynamo/passkey-store.js';
import { MemoryPasskeyChallengeStore, MemoryPasskeyStore } from '../../shared/adapters/memory/passkey-store.js';
import type { Passkey, PasskeyChallengeStore, PasskeyStore } from '../../shared/ports/passkey-store.js';
import { freshTables, type FreshTables } from '../helpers/dynamo.js';

let local: FreshTables;
beforeAll(async () => {
  local = await freshTables();
});
const now = () => Math.floor(Date.now() / 1000);

const passkey = (userId: string, over: Partial<Passkey> = {}): Passkey => ({
  id: randomBytes(16).toString('base64url'),
  userId,
  publicKey: randomBytes(77).toString('base64url'),
  counter: 0,
  transports: ['internal', 'hybrid'],
  deviceType: 'multiDevice',
  backedUp: true,
  aaguid: '00000000-0000-0000-0000-000000000000',
  name: 'Laptop',
  createdAt: now(),
  ...over,
});

const cases: [string, () => { store: PasskeyStore; challenges: PasskeyChallengeStore }][] = [
  [
    'DynamoDB',
    () => ({
      store: new DynamoPasskeyStore(local.doc, local.tables.USERS_TABLE),
      challenges: new DynamoPasskeyChallengeStore(local.doc, local.tables.EPHEMERAL_TABLE),
    }),
  ],
  ['memory', () => ({ store: new MemoryPasskeyStore(), challenges: new MemoryPasskeyChallengeStore() })],
];

describe.each(cases)('Passkey stores (%s)', (_name, make) => {
  it('S70 S71: a credential id belongs to one user; the item holds the public key and counter, listed per user', async () => {
    const { store } = make();
    const alice = randomUUID();
    const bob = randomUUID();
    const first = passkey(alice);
    expect(await store.add(first)).toBe(true);
    const results = await Promise.all([store.add({ ...first, userId: bob }), store.add({ ...first, name: 'again' })]);
    expect(results).toEqual([false, false]);
    const second = passkey(alice, { createdAt: now() + 1, transports: [] });
    expect(await store.add(second)).toBe(true);
    expect(await store.get(first.id)).toEqual(first);
    expect((await store.listByUser(alice)).map((p) => p.id)).toEqual([first.id, second.id]);
    expect(await store.listByUser(bob)).toEqual([]);
  });

  it('S69: the counter only moves forward (0 stays allowed for authenticators without one), one winner of N', async () => {
    const { store } = make();
    const zero = passkey(randomUUID());
    await store.add(zero);
    expect(await store.recordUse(zero.id, 0, now())).toBe('updated');
    expect(await store.recordUse(zero.id, 0, now())).toBe('updated');
    const counted = passkey(randomUUID(), { counter: 5 });
    await store.add(counted);
    expect(await store.recordUse(counted.id, 5, now())).toBe('regressed');
    expect(await store.recordUse(counted.id, 3, now())).toBe('regressed');
    expect(await store.recordUse(counted.id, 0, now())).toBe('regressed');
    const results = await Promise.all(Array.from({ length: 5 }, () => store.recordUse(counted.id, 6, now())));
    expect(results.filter((r) => r === 'updated')).toHaveLength(1);
    expect((await store.get(counted.id))?.counter).toBe(6);
    expect((await store.get(counted.id))?.lastUsedAt).toBeTypeOf('number');
    expect(await store.recordUse('unknown', 1, now())).toBe('regressed');
  });

  it("removes only the owner's passkey", async () => {
    const { store } = make();
    const owner = randomUUID();
    const p = passkey(owner);
    await store.add(p);
    expect(await store.remove(randomUUID(), p.id)).toBe(false);
    expect(await store.remove(owner, p.id)).toBe(true);
    expect(await store.remove(owner, p.id)).toBe(false);
    expect(await store.get(p.id)).toBeUndefined();
    expect(await store.listByUser(owner)).toEqual([]);
  });

  it('S67: a challenge is consumed once (one of 10 concurrent), only for its ceremony, never after it expires', async () => {
    const { challenges } = make();
    const t = now();
    const c = { challenge: randomBytes(32).toString('base64url'), ceremony: 'authenticate' as const, createdAt: t };
    await challenges.create({ ...c, expiresAt: t + 300 });
    expect(await challenges.consume(c.challenge, 'register', t)).toBeUndefined();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => challenges.consume(c.challenge, 'authenticate', t)),
    );
    expect(results.filter(Boolean)).toEqual([{ ...c, expiresAt: t + 300 }]);
    const expired = randomBytes(32).toString('base64url');
    await challenges.create({
      challenge: expired,
      ceremony: 'mfa',
      userId: 'u',
      createdAt: t - 400,
      expiresAt: t - 100,
    });
    expect(await challenges.consume(expired, 'mfa', t)).toBeUndefined();
    const bound = randomBytes(32).toString('base64url');
    await challenges.create({
      challenge: bound,
      ceremony: 'mfa',
      userId: 'u',
      mfaTokenHash: 'h',
      createdAt: t,
      expiresAt: t + 60,
    });
    expect(await challenges.consume(bound, 'mfa', t)).toMatchObject({ userId: 'u', mfaTokenHash: 'h' });
  });
});

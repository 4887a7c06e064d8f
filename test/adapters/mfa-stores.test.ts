/** The second-factor stores on DynamoDB Local: the raw item never holds a TOTP secret in clear; single use by condition. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoMfaChallengeStore } from '../../shared/adapters/dynamo/mfa-challenge-store.js';
import { DynamoMfaStore } from '../../shared/adapters/dynamo/mfa-store.js';
import { createSecretBox } from '../../shared/domain/mfa/secret-box.js';
import { totpEnrolment } from '../../shared/domain/mfa/totp.js';
import { freshTables, type FreshTables } from '../helpers/dynamo.js';

let local: FreshTables;
let store: DynamoMfaStore;
let challenges: DynamoMfaChallengeStore;
beforeAll(async () => {
  local = await freshTables();
  store = new DynamoMfaStore(local.doc, local.tables.USERS_TABLE);
  challenges = new DynamoMfaChallengeStore(local.doc, local.tables.EPHEMERAL_TABLE);
});
const box = createSecretBox(async () => ({ current: 'k1', k1: randomBytes(32).toString('base64url') }));
const now = () => Math.floor(Date.now() / 1000);

async function pendingFactor(userId: string) {
  const key = randomBytes(20);
  const id = randomUUID();
  await store.addTotp(userId, {
    id,
    type: 'totp',
    sealedSecret: await box.seal(key, `${userId}:${id}`),
    confirmed: false,
    createdAt: now(),
  });
  return { key, id };
}

describe('Class: DynamoMfaStore', () => {
  it('S60: the raw item holds the secret only sealed (neither raw, hex, base64 nor base32)', async () => {
    const userId = randomUUID();
    const { key } = await pendingFactor(userId);
    const raw = await local.doc.send(
      new GetCommand({ TableName: local.tables.USERS_TABLE, Key: { pk: `MFA#${userId}` } }),
    );
    const text = JSON.stringify(raw.Item);
    for (const form of [
      key.toString('hex'),
      key.toString('base64'),
      key.toString('base64url'),
      totpEnrolment(key, 'x', 'y').secret,
    ])
      expect(text).not.toContain(form);
    expect(text).toMatch(/"sealedSecret":"v1\.k1\./);
  });

  it('S60: a factor is confirmed once; each step is accepted once, even under 10 concurrent writes', async () => {
    const userId = randomUUID();
    const { id } = await pendingFactor(userId);
    expect(await store.useTotpStep(userId, id, 100, now())).toBe(false); // pending protects nothing
    expect(await store.confirmTotp(userId, id, 100, now(), ['h1'])).toBe(true);
    expect(await store.confirmTotp(userId, id, 101, now(), ['h2'])).toBe(false);
    const results = await Promise.all(Array.from({ length: 10 }, () => store.useTotpStep(userId, id, 101, now())));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.useTotpStep(userId, id, 100, now())).toBe(false);
    expect(await store.useTotpStep(userId, id, 102, now())).toBe(true);
  });

  it('S62: a recovery code is used once under concurrency; a new set voids the old', async () => {
    const userId = randomUUID();
    const { id } = await pendingFactor(userId);
    await store.confirmTotp(userId, id, 1, now(), ['a', 'b']);
    const results = await Promise.all(Array.from({ length: 10 }, () => store.useRecoveryCode(userId, 'a')));
    expect(results.filter(Boolean)).toHaveLength(1);
    await store.replaceRecoveryCodes(userId, ['c']);
    expect(await store.useRecoveryCode(userId, 'b')).toBe(false);
    expect((await store.get(userId))?.recoveryCodeHashes).toEqual(['c']);
    expect(await store.removeAll(userId)).toBe(true);
    expect(await store.get(userId)).toBeUndefined();
  });
});

describe('Class: DynamoMfaChallengeStore', () => {
  const challenge = (over: Partial<{ expiresAt: number }> = {}) => ({
    tokenHash: randomUUID(),
    userId: 'u',
    purpose: 'sign_in' as const,
    firstFactor: 'pwd',
    attempts: 0,
    createdAt: now(),
    expiresAt: now() + 300,
    ...over,
  });

  it('S61: at most 5 attempts are reserved of 20 concurrent ones, then exhausted', async () => {
    const c = challenge();
    await challenges.create(c);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => challenges.reserveAttempt(c.tokenHash, 5, now())),
    );
    expect(results.filter((r) => r.kind === 'reserved')).toHaveLength(5);
    expect(results.filter((r) => r.kind === 'exhausted')).toHaveLength(15);
  });

  it('S66: single use under concurrency; expired or unknown tokens are invalid', async () => {
    const c = challenge();
    await challenges.create(c);
    const used = await Promise.all(Array.from({ length: 10 }, () => challenges.consume(c.tokenHash, now())));
    expect(used.filter(Boolean)).toHaveLength(1);
    expect((await challenges.reserveAttempt(c.tokenHash, 5, now())).kind).toBe('invalid');
    const old = challenge({ expiresAt: now() - 1 });
    await challenges.create(old);
    expect((await challenges.reserveAttempt(old.tokenHash, 5, now())).kind).toBe('invalid');
    expect((await challenges.reserveAttempt('unknown', 5, now())).kind).toBe('invalid');
  });
});

describe('Parts of the session transaction (DynamoDB Local)', () => {
  it('S60, S66: a TOTP step, the challenge, the account check and the counter reset commit with the session or not at all', async () => {
    const { DynamoRefreshTokenStore } = await import('../../shared/adapters/dynamo/refresh-token-store.js');
    const { DynamoUserStore } = await import('../../shared/adapters/dynamo/user-store.js');
    const { DynamoRateLimiter } = await import('../../shared/adapters/dynamo/rate-limiter.js');
    const { AtomicPartFailedError } = await import('../../shared/ports/atomic-part.js');
    const refresh = new DynamoRefreshTokenStore(local.doc, local.tables.REFRESH_TOKENS_TABLE);
    const users = new DynamoUserStore(local.doc, local.tables.USERS_TABLE);
    const limiter = new DynamoRateLimiter(local.doc, local.tables.EPHEMERAL_TABLE);
    const user = { id: randomUUID(), email: `${randomUUID()}@example.com`, roles: ['user'], createdAt: now() };
    await users.create(user as never);
    const { id } = await pendingFactor(user.id);
    await store.confirmTotp(user.id, id, 100, now(), ['h1']);
    const tokenHash = randomBytes(32).toString('hex');
    await challenges.create({
      tokenHash,
      userId: user.id,
      purpose: 'sign_in',
      firstFactor: 'pwd',
      attempts: 0,
      createdAt: now(),
      expiresAt: now() + 300,
    });
    await limiter.consume(`mfa:account:${user.id}`, 10, 900);
    const session = (familyId: string) =>
      [
        { familyId, userId: user.id, createdAt: now(), expiresAt: now() + 3600 },
        {
          tokenHash: randomBytes(32).toString('hex'),
          userId: user.id,
          familyId,
          familyExpiresAt: now() + 3600,
          status: 'active' as const,
          issuedAt: now(),
          expiresAt: now() + 600,
        },
      ] as const;
    const parts = (step: number) => [
      store.useTotpStepPart(user.id, id, step, now()),
      challenges.consumePart(tokenHash, now()),
      users.enabledPart(user.id),
      limiter.resetPart(`mfa:account:${user.id}`, 900),
    ];

    // A replayed step: nothing is written — no family, the challenge still usable, the counter kept.
    const replayFamily = randomUUID();
    await expect(refresh.createFamily(...session(replayFamily), parts(100))).rejects.toEqual(
      new AtomicPartFailedError('invalid_code'),
    );
    expect(await refresh.get(session(replayFamily)[1].tokenHash)).toBeUndefined();
    expect((await challenges.reserveAttempt(tokenHash, 5, now())).kind).toBe('reserved');

    // A disabled account: refused as such, still nothing written.
    await users.setDisabled(user.id, true);
    await expect(refresh.createFamily(...session(randomUUID()), parts(101))).rejects.toEqual(
      new AtomicPartFailedError('account_disabled'),
    );
    await users.setDisabled(user.id, false);

    // All hold: the session, the step, the spent challenge and the cleared counter land together.
    const [family, first] = session(randomUUID());
    await refresh.createFamily(family, first, parts(101));
    expect((await refresh.get(first.tokenHash))?.status).toBe('active');
    expect(await store.useTotpStep(user.id, id, 101, now())).toBe(false);
    expect(await challenges.consume(tokenHash, now())).toBe(false);
    // The counter is gone: 10 fresh attempts are allowed again.
    const decisions = await Promise.all(
      Array.from({ length: 10 }, () => limiter.consume(`mfa:account:${user.id}`, 10, 900)),
    );
    expect(decisions.every((d) => d.allowed)).toBe(true);
    // A spent challenge fails the next transaction as invalid_token.
    await expect(refresh.createFamily(...session(randomUUID()), parts(102))).rejects.toEqual(
      new AtomicPartFailedError('invalid_token'),
    );
  });
});

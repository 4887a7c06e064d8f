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

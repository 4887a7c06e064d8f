/**
 * The sign-in copy on DynamoDB Local: the email item carries the account and its factors, one read; the copy's parts
 * commit only while every copied item is unchanged, so a copy made stale by a change to the account (S51, S52) or
 * to its factors (S59) can never start a session on what it says.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

async function readCopy(email: string): Promise<SignInCopy> {
  const found = await copies.read(email);
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
    expect(await copies.read(`nobody-${randomUUID()}@example.com`)).toBeUndefined();
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
    expect(await copies.read(user.email)).toEqual({ userId: user.id });
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

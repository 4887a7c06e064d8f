/**
 * Request shape, with the SDK mocked (no network): what each store sends, and how it translates SDK errors.
 * DynamoDB Local proves the behaviour (dynamo-stores.test.ts); these pin the single-request atomicity.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoRateLimiter } from '../../shared/adapters/dynamo/rate-limiter.js';
import { DynamoSignInCopyStore } from '../../shared/adapters/dynamo/sign-in-copy-store.js';
import { DynamoRefreshTokenStore } from '../../shared/adapters/dynamo/refresh-token-store.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import { CONFLICT_ATTEMPTS } from '../../shared/adapters/dynamo/conditional.js';
import { ConditionFailedError } from '../../shared/domain/errors.js';
import type { RefreshTokenRecord } from '../../shared/ports/refresh-token-store.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const TABLE = 'Table';
const NOW = 1_900_000_020; // a multiple of 60

const token = (over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  tokenHash: 'a'.repeat(64),
  userId: 'u1',
  familyId: 'f1',
  status: 'active',
  issuedAt: NOW - 100,
  expiresAt: NOW + 3_600,
  familyExpiresAt: NOW + 86_400,
  ...over,
});
const successor = token({ tokenHash: 'b'.repeat(64), issuedAt: NOW });

const canceled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const failure = (attempt: Promise<unknown>): Promise<unknown> =>
  attempt.then(
    () => undefined,
    (e: unknown) => e,
  );

beforeEach(() => ddb.reset());
afterEach(() => ddb.reset());

describe('Class: DynamoRefreshTokenStore (request shape)', () => {
  it('S22: rotate sends one transaction: conditional flip, successor put, family check', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});
    const store = new DynamoRefreshTokenStore(doc, TABLE);

    // Act
    await store.rotate(token(), successor, NOW);

    // Assess
    const calls = ddb.calls();
    expect(calls).toHaveLength(1);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items).toHaveLength(3);
    expect(items[0].Update).toMatchObject({
      Key: { pk: `T#${'a'.repeat(64)}` },
      UpdateExpression: 'SET #status = :rotated, rotatedAt = :now, successorHash = :s',
      ConditionExpression: '#status = :active AND expiresAt > :now AND familyExpiresAt > :now',
      ExpressionAttributeValues: { ':now': NOW, ':s': successor.tokenHash, ':active': 'active', ':rotated': 'rotated' },
    });
    expect(items[1].Put).toMatchObject({
      Item: { pk: `T#${successor.tokenHash}`, ...successor },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[2].ConditionCheck).toMatchObject({
      Key: { pk: 'F#f1' },
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND expiresAt > :now',
      ExpressionAttributeValues: { ':now': NOW },
    });
  });

  it('S25: translates a cancelled transaction with ConditionalCheckFailed into ConditionFailedError', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(canceled('ConditionalCheckFailed', 'None', 'None'));
    const store = new DynamoRefreshTokenStore(doc, TABLE);

    // Act
    const error = await failure(store.rotate(token(), successor, NOW));

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect((error as Error).cause).toBeInstanceOf(TransactionCanceledException);
  });

  it('S25: retries a transaction cancelled only by a TransactionConflict, then reports the condition', async () => {
    // Prepare
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(canceled('TransactionConflict', 'None', 'None'))
      .rejects(canceled('ConditionalCheckFailed', 'None', 'None'));
    const store = new DynamoRefreshTokenStore(doc, TABLE);

    // Act
    const error = await failure(store.rotate(token(), successor, NOW));

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('passes other SDK errors through untranslated', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const store = new DynamoRefreshTokenStore(doc, TABLE);

    // Act
    const error = await failure(store.rotate(token(), successor, NOW));

    // Assess
    expect(error).not.toBeInstanceOf(ConditionFailedError);
    expect((error as Error).name).toBe('ThrottlingException');
  });

  it('S24, S57: rotateWithinGrace moves the pointer, retires the previous successor, checks the family and puts the new one in one transaction', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});
    const store = new DynamoRefreshTokenStore(doc, TABLE);
    const presented = token({ status: 'rotated', rotatedAt: NOW - 5, successorHash: 'c'.repeat(64) });

    // Act
    await store.rotateWithinGrace(presented, successor, NOW - 30);

    // Assess
    expect(ddb.calls()).toHaveLength(1);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items.map((i) => Object.keys(i)[0])).toEqual(['Update', 'Update', 'ConditionCheck', 'Put']);
    expect(items[0].Update).toMatchObject({
      Key: { pk: `T#${'a'.repeat(64)}` },
      UpdateExpression: 'SET successorHash = :next',
      ConditionExpression: '#status = :rotated AND rotatedAt >= :graceStart AND successorHash = :succ',
      ExpressionAttributeValues: { ':graceStart': NOW - 30, ':succ': 'c'.repeat(64), ':next': successor.tokenHash },
    });
    expect(items[1].Update).toMatchObject({
      Key: { pk: `T#${'c'.repeat(64)}` },
      UpdateExpression: 'SET #status = :superseded, supersededAt = :now, predecessorHash = :pred',
      ConditionExpression: '#status = :active',
      ExpressionAttributeValues: { ':pred': 'a'.repeat(64), ':now': successor.issuedAt },
    });
    expect(items[2].ConditionCheck).toMatchObject({
      Key: { pk: 'F#f1' },
      ExpressionAttributeValues: { ':now': successor.issuedAt },
    });
    expect(items[3].Put).toMatchObject({
      Item: { pk: `T#${successor.tokenHash}` },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('S24: rotateWithinGrace throws ConditionFailedError without calling DynamoDB when there is no successor', async () => {
    // Prepare
    const store = new DynamoRefreshTokenStore(doc, TABLE);

    // Act
    const error = await failure(
      store.rotateWithinGrace(token({ status: 'rotated', rotatedAt: NOW }), successor, NOW - 30),
    );

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('S23: revokeFamily keeps the first revocation time and ignores an unknown family', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    const store = new DynamoRefreshTokenStore(doc, TABLE);

    // Act
    const error = await failure(store.revokeFamily('unknown', NOW));

    // Assess
    expect(error).toBeUndefined();
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({
      Key: { pk: 'F#unknown' },
      UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
      ConditionExpression: 'attribute_exists(pk)',
    });
  });
});

describe('Class: DynamoUserStore (request shape)', () => {
  it('S2: looking up an unknown email costs the same two consistent reads as a known one', async () => {
    // Prepare
    const store = new DynamoUserStore(doc, TABLE);
    ddb.on(GetCommand).resolves({});
    ddb
      .on(GetCommand, { Key: { pk: 'EMAIL#known@example.com' } })
      .resolves({ Item: { pk: 'EMAIL#known@example.com', userId: 'u1' } });
    ddb.on(GetCommand, { Key: { pk: 'USER#u1' } }).resolves({
      Item: { pk: 'USER#u1', id: 'u1', email: 'known@example.com', roles: [], emailVerified: false, createdAt: 0 },
    });

    // Act
    const known = await store.findByEmail('known@example.com');
    const knownReads = ddb.commandCalls(GetCommand).length;
    const unknown = await store.findByEmail('unknown@example.com');
    const unknownReads = ddb.commandCalls(GetCommand).length - knownReads;

    // Assess
    expect(known?.id).toBe('u1');
    expect(unknown).toBeUndefined();
    expect([knownReads, unknownReads]).toEqual([2, 2]);
    expect(ddb.commandCalls(GetCommand).every((c) => c.args[0].input.ConsistentRead === true)).toBe(true);
  });

  it('creates user and email lock in one conditional transaction, and maps a taken email to ConditionFailedError', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(canceled('None', 'ConditionalCheckFailed'));
    const store = new DynamoUserStore(doc, TABLE);
    const user = { id: 'u1', email: 'a@example.com', roles: ['user'], emailVerified: false, createdAt: NOW };

    // Act
    const error = await failure(store.create(user));

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items.map((i) => i.Put?.Item?.['pk'])).toEqual(['USER#u1', 'EMAIL#a@example.com']);
    // The lock may replace an email item that holds only an unknown address's attempt count, never an account's.
    expect(items.map((i) => i.Put?.ConditionExpression)).toEqual([
      'attribute_not_exists(pk)',
      'attribute_not_exists(userId)',
    ]);
  });
});

describe('Class: DynamoRateLimiter (request shape)', () => {
  const clock = { now: () => (NOW + 10) * 1000 }; // 10 s into a 60 s window

  it('S4: consume is one conditional ADD, never a read', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});
    const limiter = new DynamoRateLimiter(doc, TABLE, clock);

    // Act
    const decision = await limiter.consume('login:ip:192.0.2.1', 5, 60);

    // Assess
    expect(decision).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(ddb.calls()).toHaveLength(1);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: `RL#login:ip:192.0.2.1#${NOW / 60}` },
      UpdateExpression: 'ADD attempts :one SET expiresAt = if_not_exists(expiresAt, :windowEnd)',
      ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :limit',
      ExpressionAttributeValues: { ':one': 1, ':windowEnd': NOW + 60, ':limit': 5 },
    });
  });

  it('S4: a ConditionalCheckFailedException means refused, with the rest of the window as Retry-After', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    const limiter = new DynamoRateLimiter(doc, TABLE, clock);

    // Act
    const decision = await limiter.consume('login:ip:192.0.2.1', 5, 60);

    // Assess
    expect(decision).toEqual({ allowed: false, retryAfterSeconds: 50 });
  });
});

describe('Class: DynamoSignInCopyStore (request shape)', () => {
  const clock = { now: () => (NOW + 10) * 1000 };
  const conflict = () => Object.assign(new Error('conflict'), { name: 'TransactionConflictException' });

  it('S4: an attempt that lost to a transaction on the email item is counted again, not refused or failed', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .rejectsOnce(conflict())
      .resolves({ Attributes: { pk: 'EMAIL#a@example.com', userId: 'user-1' } });
    const copies = new DynamoSignInCopyStore(doc, TABLE, clock);

    // Act
    const attempt = await copies.attempt('a@example.com', 5, 60);

    // Assess
    expect(attempt.decision).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(attempt.found).toEqual({ userId: 'user-1' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('S4: a conflict that never clears ends after CONFLICT_ATTEMPTS writes and propagates (503, not a refusal)', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conflict());
    const copies = new DynamoSignInCopyStore(doc, TABLE, clock);

    // Act
    const error = await failure(copies.attempt('a@example.com', 5, 60));

    // Assess
    expect((error as Error).name).toBe('TransactionConflictException');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(CONFLICT_ATTEMPTS);
  });

  it('S4: a failed limit condition is refused at once, never retried', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    const copies = new DynamoSignInCopyStore(doc, TABLE, clock);

    // Act
    const attempt = await copies.attempt('a@example.com', 5, 60);

    // Assess
    expect(attempt).toEqual({ decision: { allowed: false, retryAfterSeconds: 50 } });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});

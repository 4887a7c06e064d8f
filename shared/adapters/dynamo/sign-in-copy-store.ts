import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { Clock } from '../../ports/clock.js';
import type { SignInAttempt, SignInCopy, SignInCopyStore } from '../../ports/sign-in-copy.js';
import { fixedWindow } from '../fixed-window.js';
import { batchGetConsistent } from './batch-get.js';
import { isConditionalCheckFailed, isTransactionConflict, retryOnConflict } from './conditional.js';
import { copyOf, parseCopy, SIGN_IN_COPY, type CopyItem } from './sign-in-copy-item.js';
import {
  ATTEMPTS_EXPIRE_AT,
  attemptsName,
  emailKey,
  isAttemptsName,
  mfaKey,
  passkeyIndexKey,
  userKey,
} from './users-table-keys.js';

/**
 * Sign-in copies on the users table's email items (see shared/ports/sign-in-copy.ts): read by the write that counts
 * the attempt against the address, refreshed from one BatchGetItem of the user, MFA and passkey-index items.
 *
 * The count lives on the email item, not in the ephemeral table, so that a sign-in's first round trip is two
 * writes (this one and the per-IP count) rather than two writes and a read. An unknown address gets an item of its
 * own, holding only its count, which TTL removes after its window; every reader of email items goes by `userId`,
 * so such an item is no account, and a sign-up's lock replaces it.
 * @example const copies = new DynamoSignInCopyStore(createDocumentClient(), config.USERS_TABLE);
 */
export class DynamoSignInCopyStore implements SignInCopyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = Date,
  ) {}

  async attempt(email: string, limit: number, windowSeconds: number): Promise<SignInAttempt> {
    const window = fixedWindow(this.clock.now(), windowSeconds);
    const refused = { decision: { allowed: false, retryAfterSeconds: window.retryAfterSeconds } };
    if (limit < 1) return refused;
    // Each window counts in an attribute of its own, so one conditional ADD both opens a window and counts in it;
    // the few windows before it go in the same write (counts left by a try in an earlier window are removed too).
    const earlier = windowNames(window.index, 1);
    let item: Record<string, unknown>;
    try {
      item = await retryOnConflict(async () => {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: emailKey(email) },
            // The TTL attribute becomes a number only on an item without an account (see users-table-keys.ts).
            UpdateExpression: `ADD #n :one SET #x = if_not_exists(userId, :end) REMOVE ${Object.keys(earlier).join(', ')}`,
            ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
            ExpressionAttributeNames: { '#n': attemptsName(window.index), '#x': ATTEMPTS_EXPIRE_AT, ...earlier },
            ExpressionAttributeValues: { ':one': 1, ':end': window.end, ':limit': limit },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return out.Attributes ?? {};
      }, isTransactionConflict);
    } catch (e) {
      if (isConditionalCheckFailed(e)) return refused;
      throw e;
    }
    await this.forgetOldCounts(email, window.index, item);
    const userId: unknown = item['userId'];
    const decision = { allowed: true, retryAfterSeconds: 0 };
    if (typeof userId !== 'string') return { decision };
    const copy = parseCopy(this.tableName, userId, item[SIGN_IN_COPY]);
    return { decision, found: copy ? { userId, copy } : { userId } };
  }

  /**
   * A count older than the windows each write removes stays on an account's item until it is seen here: tries
   * hours apart, never followed by the right password. Past a handful, one more write removes them, so that
   * nobody can grow an account's email item (and the cost of every sign-in's write to it) by trying it slowly.
   */
  private async forgetOldCounts(email: string, index: number, item: Record<string, unknown>): Promise<void> {
    const current = attemptsName(index);
    const old = Object.keys(item).filter((name) => isAttemptsName(name) && name !== current);
    if (old.length <= MAX_OLD_COUNTS) return;
    const names = Object.fromEntries(old.map((name, i) => [`#o${i}`, name]));
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: emailKey(email) },
          UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
        }),
      )
      .catch((e: unknown) => {
        if (!isConditionalCheckFailed(e)) throw e;
      });
  }

  /** A session's transaction held the item for a moment: that says nothing about the count, so ask again. */
  async resetAttempts(email: string, windowSeconds: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({ ...this.resetUpdate(email, windowSeconds), ConditionExpression: 'attribute_exists(pk)' }),
      );
    } catch (e) {
      if (!isConditionalCheckFailed(e)) throw e;
    }
  }

  resetAttemptsPart(email: string, windowSeconds: number): AtomicPart {
    // An account's email item always exists while the account does; gone, the sign-in starts again and fails.
    return {
      failure: 'stale',
      op: { Update: { ...this.resetUpdate(email, windowSeconds), ConditionExpression: 'attribute_exists(userId)' } },
    };
  }

  /** Removes the counts of this window and of the ones an attempt's write would remove. */
  private resetUpdate(email: string, windowSeconds: number) {
    const names = windowNames(fixedWindow(this.clock.now(), windowSeconds).index, 0);
    return {
      TableName: this.tableName,
      Key: { pk: emailKey(email) },
      UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
      ExpressionAttributeNames: names,
    };
  }

  async refresh(email: string, userId: string): Promise<SignInCopy | undefined> {
    const keys = [userKey(userId), mfaKey(userId), passkeyIndexKey(userId)];
    const items = new Map(
      (await batchGetConsistent(this.doc, this.tableName, keys)).map((item) => [String(item['pk']), item]),
    );
    const user = items.get(keys[0]);
    if (!user || user['email'] !== email) return undefined;
    const mfa = items.get(keys[1]);
    const ids = items.get(keys[2])?.['ids'] as Set<string> | undefined;
    const copy: CopyItem = { user: copyOf(user), ...(mfa ? { mfa: copyOf(mfa) } : {}), passkeys: ids?.size ?? 0 };
    try {
      // Only onto the lock that still points at this account; a copy older than another's is harmless (its
      // guards fail and the next sign-in refreshes again).
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: emailKey(email) },
          UpdateExpression: 'SET #copy = :copy',
          ConditionExpression: 'userId = :u',
          ExpressionAttributeNames: { '#copy': SIGN_IN_COPY },
          ExpressionAttributeValues: { ':copy': copy, ':u': userId },
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e)) return undefined;
      throw e;
    }
    return parseCopy(this.tableName, userId, copy);
  }
}

/** Windows before the current one whose counts every attempt removes (and a reset with them). */
const EARLIER_WINDOWS = 4;
/** Older counts an account's email item may hold before an attempt removes them (see forgetOldCounts). */
const MAX_OLD_COUNTS = 8;

/** Placeholders for the counts of windows `index - from` … `index - EARLIER_WINDOWS`. */
function windowNames(index: number, from: number): Record<string, string> {
  const names: Record<string, string> = {};
  for (let k = from; k <= EARLIER_WINDOWS; k++) names[`#e${k}`] = attemptsName(index - k);
  return names;
}

import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetConsistent } from './batch-get.js';
import type { SignInCopy, SignInCopyStore } from '../../ports/sign-in-copy.js';
import { isConditionalCheckFailed } from './conditional.js';
import { copyOf, parseCopy, SIGN_IN_COPY, type CopyItem } from './sign-in-copy-item.js';
import { emailKey, mfaKey, passkeyIndexKey, userKey } from './users-table-keys.js';

/**
 * Sign-in copies on the users table's email items (see shared/ports/sign-in-copy.ts): read with the lock itself,
 * refreshed from one BatchGetItem of the user, MFA and passkey-index items.
 * @example const copies = new DynamoSignInCopyStore(createDocumentClient(), config.USERS_TABLE);
 */
export class DynamoSignInCopyStore implements SignInCopyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(email: string): Promise<{ userId: string; copy?: SignInCopy } | undefined> {
    // Consistent: a sign-in right after sign-up must see the new lock.
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: emailKey(email) }, ConsistentRead: true }),
    );
    const userId: unknown = out.Item?.['userId'];
    if (typeof userId !== 'string') return undefined;
    const copy = parseCopy(this.tableName, userId, out.Item?.[SIGN_IN_COPY]);
    return copy ? { userId, copy } : { userId };
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

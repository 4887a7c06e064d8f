import { GetCommand, UpdateCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../domain/errors.js';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore } from '../../ports/refresh-token-store.js';
import { isConditionalCheckFailed, transactWrite } from './conditional.js';
import { FAMILIES_BY_USER_INDEX } from './tables.js';

const tokenKey = (tokenHash: string) => `T#${tokenHash}`;
const familyKey = (familyId: string) => `F#${familyId}`;

/** Family revocations in flight at once during logout-all. */
const REVOKE_CONCURRENCY = 8;

/** The family must exist, be unrevoked and not past its absolute expiry (TTL deletes lazily, so check it). */
const FAMILY_LIVE = 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND expiresAt > :now';

/**
 * Refresh tokens, keyed by SHA-256 only (`T#<hash>`: a table leak yields no usable token), and their
 * families (`F#<id>`). Only family items carry `familyOwner`, so the `familiesByUser` GSI is sparse: one row
 * per family, never per token. Every state change is one conditional write or transaction.
 * @example const store = new DynamoRefreshTokenStore(createDocumentClient(), config.REFRESH_TOKENS_TABLE);
 */
export class DynamoRefreshTokenStore implements RefreshTokenStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createFamily(family: RefreshFamily, first: RefreshTokenRecord, parts?: readonly AtomicPart[]): Promise<void> {
    const TableName = this.tableName;
    const ConditionExpression = 'attribute_not_exists(pk)';
    const familyItem = { pk: familyKey(family.familyId), ...family, familyOwner: family.userId };
    await transactWrite(
      this.doc,
      [
        { Put: { TableName, Item: familyItem, ConditionExpression } },
        { Put: { TableName, Item: { pk: tokenKey(first.tokenHash), ...first }, ConditionExpression } },
      ],
      'create refresh family',
      parts,
    );
  }

  async get(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    // No expiry filter here: the domain decides, so an expired-but-not-yet-deleted token is still visible to it.
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: tokenKey(tokenHash) }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { pk: _pk, ...record } = out.Item;
    return record as RefreshTokenRecord;
  }

  async rotate(presented: RefreshTokenRecord, successor: RefreshTokenRecord, nowSeconds: number): Promise<void> {
    const TableName = this.tableName;
    // One transaction: of N concurrent rotations exactly one flips `active` and creates its successor (S25).
    await transactWrite(
      this.doc,
      [
        {
          Update: {
            TableName,
            Key: { pk: tokenKey(presented.tokenHash) },
            UpdateExpression: 'SET #status = :rotated, rotatedAt = :now, successorHash = :s',
            // Expiry is re-checked in the write itself: the item may outlive expiresAt until TTL gets to it (S26).
            ConditionExpression: '#status = :active AND expiresAt > :now AND familyExpiresAt > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':rotated': 'rotated',
              ':active': 'active',
              ':now': nowSeconds,
              ':s': successor.tokenHash,
            },
          },
        },
        {
          Put: {
            TableName,
            Item: { pk: tokenKey(successor.tokenHash), ...successor },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        this.familyLive(presented.familyId, nowSeconds),
      ],
      'rotate refresh token',
    );
  }

  async rotateWithinGrace(
    presented: RefreshTokenRecord,
    successor: RefreshTokenRecord,
    graceStartSeconds: number,
  ): Promise<void> {
    const current = presented.successorHash;
    if (current === undefined) throw new ConditionFailedError('rotate within grace: presented token has no successor');
    const TableName = this.tableName;
    const ExpressionAttributeNames = { '#status': 'status' };
    // S24: only the immediate predecessor of a still-active token, only inside the window. An older ancestor
    // fails the second condition (its successor is itself rotated) and the domain treats it as reuse.
    // S57: one transaction moves the pointer and retires the successor it pointed at, so a family never holds two
    // live tokens; of N concurrent re-presentations reading one pointer, exactly one moves it.
    await transactWrite(
      this.doc,
      [
        {
          Update: {
            TableName,
            Key: { pk: tokenKey(presented.tokenHash) },
            UpdateExpression: 'SET successorHash = :next',
            ConditionExpression: '#status = :rotated AND rotatedAt >= :graceStart AND successorHash = :succ',
            ExpressionAttributeNames,
            ExpressionAttributeValues: {
              ':rotated': 'rotated',
              ':graceStart': graceStartSeconds,
              ':succ': current,
              ':next': successor.tokenHash,
            },
          },
        },
        {
          Update: {
            TableName,
            Key: { pk: tokenKey(current) },
            UpdateExpression: 'SET #status = :superseded, supersededAt = :now, predecessorHash = :pred',
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames,
            ExpressionAttributeValues: {
              ':active': 'active',
              ':superseded': 'superseded',
              ':now': successor.issuedAt,
              ':pred': presented.tokenHash,
            },
          },
        },
        this.familyLive(presented.familyId, successor.issuedAt),
        {
          Put: {
            TableName,
            Item: { pk: tokenKey(successor.tokenHash), ...successor },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      'rotate refresh token within grace',
    );
  }

  async revokeFamily(familyId: string, nowSeconds: number): Promise<void> {
    await this.revoke(familyId, nowSeconds);
  }

  async revokeAllForUser(userId: string, nowSeconds: number): Promise<number> {
    // The GSI is eventually consistent: a family created a moment ago may be missed. Sign-in after
    // logout-all is a fresh family anyway, and the cost is one more call to logout-all.
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        IndexName: FAMILIES_BY_USER_INDEX,
        KeyConditionExpression: 'familyOwner = :u',
        ExpressionAttributeValues: { ':u': userId },
      },
    );
    let revoked = 0;
    for await (const page of pages) {
      const familyIds = (page.Items ?? []).map((item) => String(item['pk']).slice('F#'.length));
      for (let i = 0; i < familyIds.length; i += REVOKE_CONCURRENCY) {
        const results = await Promise.all(
          familyIds.slice(i, i + REVOKE_CONCURRENCY).map((id) => this.revoke(id, nowSeconds)),
        );
        revoked += results.filter(Boolean).length;
      }
    }
    return revoked;
  }

  /** Sets revokedAt once (the first revocation time is kept); true when this call did the revoking. */
  private async revoke(familyId: string, nowSeconds: number): Promise<boolean> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: familyKey(familyId) },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          // Without it, revoking an unknown family would create a stub item.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': nowSeconds },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return out.Attributes?.['revokedAt'] === undefined;
    } catch (e) {
      // Unknown (or already TTL-deleted) family: nothing to revoke.
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }

  private familyLive(familyId: string, nowSeconds: number) {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: { pk: familyKey(familyId) },
        ConditionExpression: FAMILY_LIVE,
        ExpressionAttributeValues: { ':now': nowSeconds },
      },
    };
  }
}

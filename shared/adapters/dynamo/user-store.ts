import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../domain/errors.js';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { OAuthIdentity } from '../../ports/oauth-identity.js';
import type { User, UserStore } from '../../ports/user-store.js';
import { isConditionalCheckFailed, transactWrite } from './conditional.js';
import { emailKey, REVISION, userKey } from './users-table-keys.js';
import { newAccountCopy, SIGN_IN_COPY } from './sign-in-copy-item.js';

const identityKey = (i: OAuthIdentity) => `IDENTITY#${i.issuer}#${i.subject}`;

/**
 * Users in one table: `USER#<id>` holds the profile, `EMAIL#<canonical email>` is a uniqueness lock that
 * points at it. Both are written in one transaction, so two sign-ups for one address cannot both win.
 * @example const users = new DynamoUserStore(createDocumentClient(), config.USERS_TABLE);
 */
export class DynamoUserStore implements UserStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(user: User): Promise<void> {
    await transactWrite(this.doc, this.newAccountPuts(user), 'create user');
  }

  /**
   * The profile and its email lock, each conditioned on not existing: uniqueness by condition, not by lookup. The
   * lock may replace an email item that holds no account: the attempt count of an address that had none
   * (sign-in-copy-store.ts), which goes with it.
   */
  private newAccountPuts(user: User, extra: Record<string, unknown>[] = []) {
    const TableName = this.tableName;
    const isNew = 'attribute_not_exists(pk)';
    // The email lock carries the new account's sign-in copy from the start (sign-in-copy-store.ts).
    const profile = userToItem(user);
    const lock = { pk: emailKey(user.email), userId: user.id, [SIGN_IN_COPY]: newAccountCopy(profile) };
    return [
      { Put: { TableName, Item: { pk: userKey(user.id), ...profile }, ConditionExpression: isNew } },
      { Put: { TableName, Item: lock, ConditionExpression: 'attribute_not_exists(userId)' } },
      ...extra.map((Item) => ({ Put: { TableName, Item, ConditionExpression: isNew } })),
    ];
  }

  async findByEmail(email: string): Promise<User | undefined> {
    // Consistent: a sign-in right after sign-up must see the new lock.
    const lock = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: emailKey(email) }, ConsistentRead: true }),
    );
    const userId: unknown = lock.Item?.['userId'];
    if (typeof userId === 'string') return this.findById(userId);
    // An unknown address costs the same second read as a known one, so the sign-in's latency does not say which
    // it was (S2: the rest of the parity is the dummy argon2 verify). The key cannot exist.
    await this.findById('00000000-0000-0000-0000-000000000000');
    return undefined;
  }

  enabledPart(userId: string): AtomicPart {
    return this.enabledAnd(userId, 'attribute_exists(pk)', {}, 'account_disabled');
  }

  passwordHeldPart(userId: string, passwordHash: string): AtomicPart {
    return this.enabledAnd(userId, 'passwordHash = :h', { ':h': passwordHash }, 'invalid_credentials');
  }

  /** A condition on the user item, which must also not be disabled, as a part of another store's transaction. */
  private enabledAnd(
    userId: string,
    condition: string,
    values: Record<string, unknown>,
    failure: AtomicPart['failure'],
  ): AtomicPart {
    const ConditionExpression = `${condition} AND (attribute_not_exists(#d) OR #d <> :t)`;
    return {
      failure,
      op: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: { pk: userKey(userId) },
          ConditionExpression,
          ExpressionAttributeNames: { '#d': 'disabled' },
          ExpressionAttributeValues: { ':t': true, ...values },
        },
      },
    };
  }

  async findById(id: string): Promise<User | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: userKey(id) }, ConsistentRead: true }),
    );
    return out.Item ? userFromItem(out.Item) : undefined;
  }

  /**
   * The new hash reaches the sign-in copy in the same transaction: a password sign-in checks the password against
   * the copy before anything else, so a copy left with the old hash would refuse the new password. (Every other
   * change only makes the copy stale, which the copy's parts detect.) Without a copy, the profile alone.
   */
  async updatePasswordHash(userId: string, passwordHash: string): Promise<void> {
    const user = await this.findById(userId);
    if (user) {
      const TableName = this.tableName;
      try {
        await transactWrite(
          this.doc,
          [
            {
              Update: {
                TableName,
                Key: { pk: userKey(userId) },
                UpdateExpression: 'SET passwordHash = :v ADD #rev :one',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#rev': REVISION },
                ExpressionAttributeValues: { ':v': passwordHash, ':one': 1 },
              },
            },
            {
              Update: {
                TableName,
                Key: { pk: emailKey(user.email) },
                UpdateExpression: 'SET #copy.#user.passwordHash = :v',
                ConditionExpression: 'userId = :u AND attribute_exists(#copy.#user)',
                ExpressionAttributeNames: { '#copy': SIGN_IN_COPY, '#user': 'user' },
                ExpressionAttributeValues: { ':v': passwordHash, ':u': userId },
              },
            },
          ],
          'update password hash',
        );
        return;
      } catch (e) {
        if (!(e instanceof ConditionFailedError)) throw e;
      }
    }
    if (!(await this.updateProfile(userId, 'SET passwordHash = :v', {}, { ':v': passwordHash }))) {
      throw new ConditionFailedError('update password hash: no such user');
    }
  }

  async markEmailVerified(userId: string): Promise<void> {
    if (!(await this.updateProfile(userId, 'SET emailVerified = :v', {}, { ':v': true }))) {
      throw new ConditionFailedError('mark email verified: no such user');
    }
  }

  async claimAddress(userId: string): Promise<User | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userKey(userId) },
          // One write, conditioned on "still unverified": of a concurrent proof and a verification-mail
          // confirmation, exactly one decides whether the pre-proof password survives (S52).
          UpdateExpression: 'SET emailVerified = :t REMOVE passwordHash ADD #rev :one',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(emailVerified) OR emailVerified <> :t)',
          ExpressionAttributeNames: { '#rev': REVISION },
          ExpressionAttributeValues: { ':t': true, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? userFromItem(out.Attributes) : undefined;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return undefined;
      throw e;
    }
  }

  setRoles(userId: string, roles: string[]): Promise<User | undefined> {
    return this.updateProfile(userId, 'SET #roles = :v', { '#roles': 'roles' }, { ':v': [...roles] });
  }

  setDisabled(userId: string, disabled: boolean): Promise<User | undefined> {
    return this.updateProfile(userId, 'SET #disabled = :v', { '#disabled': 'disabled' }, { ':v': disabled });
  }

  /**
   * One conditional UpdateItem on the profile; undefined when the user does not exist. The condition matters:
   * without it, an update for a deleted user would silently create a stub item.
   */
  private async updateProfile(
    userId: string,
    UpdateExpression: string,
    ExpressionAttributeNames: Record<string, string>,
    ExpressionAttributeValues: Record<string, unknown>,
  ): Promise<User | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: userKey(userId) },
          // Every profile change bumps the revision: a sign-in copy of the account is then seen to be stale.
          UpdateExpression: `${UpdateExpression} ADD #rev :one`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { ...ExpressionAttributeNames, '#rev': REVISION },
          ExpressionAttributeValues: { ...ExpressionAttributeValues, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? userFromItem(out.Attributes) : undefined;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return undefined;
      throw e;
    }
  }

  async findByIdentity(identity: OAuthIdentity): Promise<User | undefined> {
    const link = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: identityKey(identity) }, ConsistentRead: true }),
    );
    const userId: unknown = link.Item?.['userId'];
    return typeof userId === 'string' ? this.findById(userId) : undefined;
  }

  /** The user, its email lock and its first identity: one transaction, each item new (S38: identity is unique). */
  async createWithIdentity(user: User, identity: OAuthIdentity): Promise<void> {
    await transactWrite(
      this.doc,
      this.newAccountPuts(user, [identityItem(user.id, identity, user.createdAt)]),
      'create user with identity',
    );
  }

  async linkIdentity(userId: string, identity: OAuthIdentity): Promise<void> {
    const TableName = this.tableName;
    await transactWrite(
      this.doc,
      [
        { ConditionCheck: { TableName, Key: { pk: userKey(userId) }, ConditionExpression: 'attribute_exists(pk)' } },
        {
          Put: {
            TableName,
            Item: identityItem(userId, identity, Date.now()),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
      'link identity',
    );
  }
}

function identityItem(userId: string, identity: OAuthIdentity, linkedAt: number) {
  return { pk: identityKey(identity), userId, issuer: identity.issuer, subject: identity.subject, linkedAt };
}

export function userToItem(user: User) {
  return {
    id: user.id,
    email: user.email,
    passwordHash: user.passwordHash,
    roles: [...user.roles],
    emailVerified: user.emailVerified,
    createdAt: user.createdAt,
    disabled: user.disabled,
  };
}

export function userFromItem(item: Record<string, unknown>): User {
  const user: User = {
    id: item['id'] as string,
    email: item['email'] as string,
    roles: (item['roles'] as string[] | undefined) ?? [],
    emailVerified: item['emailVerified'] === true,
    createdAt: item['createdAt'] as number,
  };
  if (typeof item['passwordHash'] === 'string') user.passwordHash = item['passwordHash'];
  if (item['disabled'] === true) user.disabled = true;
  return user;
}

import { ConditionFailedError } from '../../domain/errors.js';
import type { AtomicPart, MemoryAtomicOp } from '../../ports/atomic-part.js';
import type { OAuthIdentity } from '../../ports/oauth-identity.js';
import type { User, UserStore } from '../../ports/user-store.js';

/**
 * In-memory `UserStore` with the DynamoDB store's semantics: the email lock and the user are taken together
 * or not at all, and a taken email throws `ConditionFailedError`. Records are copied in and out, as a
 * database would, so callers cannot mutate stored state by reference.
 * @example const users = new MemoryUserStore();
 */
export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, User>();
  private readonly emails = new Map<string, string>();
  private readonly identities = new Map<string, string>();

  async create(user: User): Promise<void> {
    if (this.users.has(user.id) || this.emails.has(user.email))
      throw new ConditionFailedError('create user: condition failed');
    this.users.set(user.id, structuredClone(user));
    this.emails.set(user.email, user.id);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const id = this.emails.get(email);
    return id === undefined ? undefined : this.findById(id);
  }

  enabledPart(userId: string): AtomicPart {
    const op: MemoryAtomicOp = {
      check: () => this.users.has(userId) && this.users.get(userId)?.disabled !== true,
      apply: () => undefined,
    };
    return { failure: 'account_disabled', op };
  }

  passwordHeldPart(userId: string, passwordHash: string): AtomicPart {
    const op: MemoryAtomicOp = {
      check: () => {
        const user = this.users.get(userId);
        return user?.passwordHash === passwordHash && user.disabled !== true;
      },
      apply: () => undefined,
    };
    return { failure: 'invalid_credentials', op };
  }

  async findById(id: string): Promise<User | undefined> {
    const user = this.users.get(id);
    return user && structuredClone(user);
  }

  async updatePasswordHash(userId: string, passwordHash: string): Promise<void> {
    const user = this.users.get(userId);
    if (!user) throw new ConditionFailedError('update password hash: no such user');
    user.passwordHash = passwordHash;
  }

  async setRoles(userId: string, roles: string[]): Promise<User | undefined> {
    const user = this.users.get(userId);
    if (!user) return undefined;
    user.roles = [...roles];
    return structuredClone(user);
  }

  async setDisabled(userId: string, disabled: boolean): Promise<User | undefined> {
    const user = this.users.get(userId);
    if (!user) return undefined;
    if (disabled) user.disabled = true;
    else delete user.disabled;
    return structuredClone(user);
  }

  async findByIdentity(identity: OAuthIdentity): Promise<User | undefined> {
    const id = this.identities.get(identityKey(identity));
    return id === undefined ? undefined : this.findById(id);
  }

  async createWithIdentity(user: User, identity: OAuthIdentity): Promise<void> {
    if (this.identities.has(identityKey(identity)))
      throw new ConditionFailedError('create user with identity: condition failed');
    await this.create(user);
    this.identities.set(identityKey(identity), user.id);
  }

  async linkIdentity(userId: string, identity: OAuthIdentity): Promise<void> {
    if (!this.users.has(userId) || this.identities.has(identityKey(identity)))
      throw new ConditionFailedError('link identity: condition failed');
    this.identities.set(identityKey(identity), userId);
  }

  async claimAddress(userId: string): Promise<User | undefined> {
    const user = this.users.get(userId);
    if (!user || user.emailVerified) return undefined;
    user.emailVerified = true;
    delete user.passwordHash;
    return structuredClone(user);
  }

  async markEmailVerified(userId: string): Promise<void> {
    const user = this.users.get(userId);
    if (!user) throw new ConditionFailedError('mark email verified: no such user');
    user.emailVerified = true;
  }
}

const identityKey = (i: OAuthIdentity) => `${i.issuer}#${i.subject}`;

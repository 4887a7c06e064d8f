/**
 * Password sign-in on a sign-in copy (shared/ports/sign-in-copy.ts): the account as read beside the rate limits
 * is never trusted on its own. The fake below keeps the port's contract — a copy is a snapshot, and its part holds
 * only while the account is still that snapshot — over the in-memory user store; the DynamoDB copy is proven on
 * DynamoDB Local in test/adapters/sign-in-copy.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../shared/domain/errors.js';
import { logIn, type LoginDeps } from '../../shared/domain/login.js';
import type { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import type { MemoryAtomicOp } from '../../shared/ports/atomic-part.js';
import type { SignInAttempt, SignInCopy, SignInCopyStore } from '../../shared/ports/sign-in-copy.js';
import { MemoryRateLimiter } from '../../shared/adapters/memory/rate-limiter.js';
import type { User } from '../../shared/ports/user-store.js';
import { inMemoryLogin } from '../helpers/fakes.js';

const PASSWORD = 'correct horse battery staple';

/** Copies taken when the test says (`take`), served until replaced; `refresh` takes a new one. */
class SnapshotCopies implements SignInCopyStore {
  readonly held = new Map<string, SignInCopy>();
  refreshes = 0;
  constructor(private readonly users: MemoryUserStore) {}

  async take(email: string): Promise<SignInCopy> {
    const user = (await this.users.findByEmail(email))!;
    const snapshot = JSON.stringify(user);
    const op: MemoryAtomicOp = {
      check: () => {
        // A synchronous look at the store's current record, as the DynamoDB ConditionCheck looks at the item.
        const current = (this.users as unknown as { users: Map<string, User> }).users.get(user.id);
        return current !== undefined && JSON.stringify(current) === snapshot;
      },
      apply: () => undefined,
    };
    const copy: SignInCopy = { user, passkeyCount: 0, unchangedParts: [{ failure: 'stale', op }] };
    this.held.set(email, copy);
    return copy;
  }

  /** Attempts counted per address as the DynamoDB store counts them on the email item (proven there). */
  private readonly attempts = new MemoryRateLimiter();

  async attempt(email: string, limit: number, windowSeconds: number): Promise<SignInAttempt> {
    const decision = await this.attempts.consume(email, limit, windowSeconds);
    if (!decision.allowed) return { decision };
    const copy = this.held.get(email);
    if (copy) return { decision, found: { userId: copy.user.id, copy } };
    const user = await this.users.findByEmail(email);
    return user ? { decision, found: { userId: user.id } } : { decision };
  }

  resetAttempts(email: string, windowSeconds: number) {
    return this.attempts.reset(email, windowSeconds);
  }

  resetAttemptsPart(email: string, windowSeconds: number) {
    return this.attempts.resetPart(email, windowSeconds);
  }

  async refresh(email: string): Promise<SignInCopy | undefined> {
    this.refreshes += 1;
    return (await this.users.findByEmail(email)) ? this.take(email) : undefined;
  }
}

async function setup() {
  const { deps, users, hasher } = await inMemoryLogin();
  const copies = new SnapshotCopies(users);
  deps.copies = copies;
  const user: User = {
    id: 'u-copy',
    email: 'copy@example.com',
    passwordHash: await hasher.hash(PASSWORD),
    roles: ['user'],
    emailVerified: false,
    createdAt: 0,
  };
  await users.create(user);
  return { deps, users, copies, user };
}

const attempt = (deps: LoginDeps, password = PASSWORD) =>
  logIn(deps, { email: 'copy@example.com', password, sourceIp: '192.0.2.1' }).then(
    () => 'ok',
    (e: unknown) => (e instanceof AuthError ? e.code : String(e)),
  );

describe('Use-case: logIn on a sign-in copy', () => {
  it('a current copy is all the sign-in reads of the account', async () => {
    const { deps, users, copies } = await setup();
    await copies.take('copy@example.com');
    const byEmail = vi.spyOn(users, 'findByEmail');
    const byId = vi.spyOn(users, 'findById');
    expect(await attempt(deps)).toBe('ok');
    expect([byEmail.mock.calls.length, byId.mock.calls.length, copies.refreshes]).toEqual([0, 0, 0]);
  });

  it('S52: the password removed by a proof of the address after the copy was read: invalid_credentials', async () => {
    const { deps, users, copies, user } = await setup();
    await copies.take('copy@example.com');
    await users.claimAddress(user.id);
    expect(await attempt(deps)).toBe('invalid_credentials');
    expect(copies.refreshes).toBe(1);
  });

  it('S51: disabled after the copy was read: 403 account_disabled, no session', async () => {
    const { deps, users, copies, user } = await setup();
    await copies.take('copy@example.com');
    await users.setDisabled(user.id, true);
    expect(await attempt(deps)).toBe('account_disabled');
  });

  it('a copy that says "disabled" is not believed: re-enabled since, the sign-in succeeds', async () => {
    const { deps, users, copies, user } = await setup();
    await users.setDisabled(user.id, true);
    await copies.take('copy@example.com');
    await users.setDisabled(user.id, false);
    expect(await attempt(deps)).toBe('ok');
  });

  it('roles changed after the copy: the session carries the new roles, from a fresh read', async () => {
    const { deps, users, copies, user } = await setup();
    await copies.take('copy@example.com');
    await users.setRoles(user.id, ['user', 'support']);
    const session = await logIn(deps, { email: user.email, password: PASSWORD, sourceIp: '192.0.2.1' });
    const claims = JSON.parse(Buffer.from(session.accessToken.split('.')[1], 'base64url').toString()) as {
      roles: string[];
    };
    expect(claims.roles).toEqual(['user', 'support']);
    expect(copies.refreshes).toBe(1);
  });

  it('S1: a wrong password on a copy answers as an unknown address does', async () => {
    const { deps, copies } = await setup();
    await copies.take('copy@example.com');
    expect(await attempt(deps, 'not the right password at all')).toBe('invalid_credentials');
    expect(
      await logIn(deps, { email: 'nobody@example.com', password: PASSWORD, sourceIp: '192.0.2.1' }).catch(
        (e: AuthError) => e.code,
      ),
    ).toBe('invalid_credentials');
  });

  it('S4: the account is counted by the copy store; locked, even the right password is refused, nothing read', async () => {
    const { deps, users, copies } = await setup();
    deps.limits = { ...deps.limits, maxAttemptsPerAccount: 3 };
    await copies.take('copy@example.com');
    for (let i = 0; i < 2; i++)
      expect(await attempt(deps, 'not the right password at all')).toBe('invalid_credentials');
    // The right password clears the count with the session: three more tries are allowed after it.
    expect(await attempt(deps)).toBe('ok');
    for (let i = 0; i < 3; i++)
      expect(await attempt(deps, 'not the right password at all')).toBe('invalid_credentials');
    const byEmail = vi.spyOn(users, 'findByEmail');
    expect(await attempt(deps)).toBe('too_many_attempts');
    expect(byEmail).not.toHaveBeenCalled();
    // A password reset lifts the lock where the login counts (S4: recovery by email).
    await copies.resetAttempts('copy@example.com', deps.limits.windowSeconds);
    expect(await attempt(deps)).toBe('ok');
  });
});

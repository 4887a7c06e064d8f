import type { AtomicPart, MemoryAtomicOp } from '../../ports/atomic-part.js';
import type {
  CounterUpdate,
  Passkey,
  PasskeyCeremony,
  PasskeyChallenge,
  PasskeyChallengeStore,
  PasskeyStore,
} from '../../ports/passkey-store.js';

/** In-memory passkeys for unit tests; the same rules as the DynamoDB adapter. */
export class MemoryPasskeyStore implements PasskeyStore {
  readonly items = new Map<string, Passkey>();

  add(passkey: Passkey): Promise<boolean> {
    if (this.items.has(passkey.id)) return Promise.resolve(false);
    this.items.set(passkey.id, { ...passkey });
    return Promise.resolve(true);
  }

  get(credentialId: string): Promise<Passkey | undefined> {
    const p = this.items.get(credentialId);
    return Promise.resolve(p ? { ...p } : undefined);
  }

  listByUser(userId: string): Promise<Passkey[]> {
    return Promise.resolve(
      [...this.items.values()]
        .filter((p) => p.userId === userId)
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((p) => ({ ...p })),
    );
  }

  recordUse(credentialId: string, counter: number, now: number): Promise<CounterUpdate> {
    const p = this.items.get(credentialId);
    if (!p || (counter === 0 ? p.counter !== 0 : p.counter >= counter)) return Promise.resolve('regressed');
    p.counter = counter;
    p.lastUsedAt = now;
    return Promise.resolve('updated');
  }

  recordUsePart(credentialId: string, counter: number, now: number): AtomicPart {
    const op: MemoryAtomicOp = {
      check: () => {
        const p = this.items.get(credentialId);
        return p !== undefined && (counter === 0 ? p.counter === 0 : p.counter < counter);
      },
      apply: () => {
        const p = this.items.get(credentialId)!;
        p.counter = counter;
        p.lastUsedAt = now;
      },
    };
    return { failure: 'invalid_passkey', op };
  }

  remove(userId: string, credentialId: string): Promise<boolean> {
    const p = this.items.get(credentialId);
    if (!p || p.userId !== userId) return Promise.resolve(false);
    this.items.delete(credentialId);
    return Promise.resolve(true);
  }
}

export class MemoryPasskeyChallengeStore implements PasskeyChallengeStore {
  readonly items = new Map<string, PasskeyChallenge & { usedAt?: number }>();

  create(challenge: PasskeyChallenge): Promise<void> {
    if (this.items.has(challenge.challenge)) return Promise.reject(new Error('challenge exists'));
    this.items.set(challenge.challenge, { ...challenge });
    return Promise.resolve();
  }

  consume(challenge: string, ceremony: PasskeyCeremony, now: number): Promise<PasskeyChallenge | undefined> {
    const c = this.items.get(challenge);
    if (!c || c.ceremony !== ceremony || c.expiresAt <= now || c.usedAt !== undefined)
      return Promise.resolve(undefined);
    c.usedAt = now;
    const { usedAt: _usedAt, ...rest } = c;
    return Promise.resolve(rest);
  }
}

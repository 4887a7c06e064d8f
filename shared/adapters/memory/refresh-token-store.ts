import { AtomicPartFailedError, type AtomicPart, type MemoryAtomicOp } from '../../ports/atomic-part.js';
import { ConditionFailedError } from '../../domain/errors.js';
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore } from '../../ports/refresh-token-store.js';

const fail = (what: string) => new ConditionFailedError(`${what}: condition failed`);

/**
 * In-memory `RefreshTokenStore` with the DynamoDB store's semantics. Each method checks all its conditions
 * before changing anything, in one synchronous step, which is what a DynamoDB transaction guarantees; the
 * expiry conditions are the same, so tests on the fake say something about the real store.
 * @example const store = new MemoryRefreshTokenStore();
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  private readonly tokens = new Map<string, RefreshTokenRecord>();
  private readonly families = new Map<string, RefreshFamily>();

  async createFamily(
    family: RefreshFamily,
    first: RefreshTokenRecord,
    parts: readonly AtomicPart[] = [],
  ): Promise<void> {
    if (this.families.has(family.familyId) || this.tokens.has(first.tokenHash)) throw fail('create refresh family');
    // Checked, then applied, in one synchronous step: the in-process equivalent of the transaction.
    const ops = parts.map((p) => ({ failure: p.failure, op: p.op as MemoryAtomicOp }));
    const failed = ops.find((p) => !p.op.check());
    if (failed) throw new AtomicPartFailedError(failed.failure);
    for (const p of ops) p.op.apply();
    this.families.set(family.familyId, structuredClone(family));
    this.tokens.set(first.tokenHash, structuredClone(first));
  }

  async get(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const token = this.tokens.get(tokenHash);
    return token && structuredClone(token);
  }

  async rotate(presented: RefreshTokenRecord, successor: RefreshTokenRecord, nowSeconds: number): Promise<void> {
    const stored = this.tokens.get(presented.tokenHash);
    const rotatable =
      stored?.status === 'active' && stored.expiresAt > nowSeconds && stored.familyExpiresAt > nowSeconds;
    if (
      !stored ||
      !rotatable ||
      this.tokens.has(successor.tokenHash) ||
      !this.familyLive(presented.familyId, nowSeconds)
    ) {
      throw fail('rotate refresh token');
    }
    Object.assign(stored, { status: 'rotated', rotatedAt: nowSeconds, successorHash: successor.tokenHash });
    this.tokens.set(successor.tokenHash, structuredClone(successor));
  }

  async rotateWithinGrace(
    presented: RefreshTokenRecord,
    successor: RefreshTokenRecord,
    graceStartSeconds: number,
  ): Promise<void> {
    const current = presented.successorHash;
    const stored = this.tokens.get(presented.tokenHash);
    const ok =
      current !== undefined &&
      stored?.status === 'rotated' &&
      stored.rotatedAt !== undefined &&
      stored.rotatedAt >= graceStartSeconds &&
      stored.successorHash === current &&
      this.tokens.get(current)?.status === 'active' &&
      this.familyLive(presented.familyId, successor.issuedAt) &&
      !this.tokens.has(successor.tokenHash);
    if (!ok) throw fail('rotate refresh token within grace');
    // S57: the previous successor dies as this one is born, so the family keeps exactly one live token.
    Object.assign(this.tokens.get(current)!, {
      status: 'superseded',
      supersededAt: successor.issuedAt,
      predecessorHash: presented.tokenHash,
    });
    stored.successorHash = successor.tokenHash;
    this.tokens.set(successor.tokenHash, structuredClone(successor));
  }

  async revokeFamily(familyId: string, nowSeconds: number): Promise<void> {
    this.revoke(familyId, nowSeconds);
  }

  async revokeAllForUser(userId: string, nowSeconds: number): Promise<number> {
    const owned = [...this.families.values()].filter((f) => f.userId === userId);
    return owned.filter((f) => this.revoke(f.familyId, nowSeconds)).length;
  }

  /** Every stored item, as a table scan would return it (for tests that inspect what is at rest). */
  dump(): unknown[] {
    return structuredClone([...this.families.values(), ...this.tokens.values()]);
  }

  private revoke(familyId: string, nowSeconds: number): boolean {
    const family = this.families.get(familyId);
    if (!family || family.revokedAt !== undefined) return false;
    family.revokedAt = nowSeconds;
    return true;
  }

  private familyLive(familyId: string, nowSeconds: number): boolean {
    const family = this.families.get(familyId);
    return !!family && family.revokedAt === undefined && family.expiresAt > nowSeconds;
  }
}

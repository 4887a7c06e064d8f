import { ConditionFailedError } from '../../domain/errors.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../ports/api-key-store.js';

/**
 * In-memory `ApiKeyStore` with the DynamoDB store's semantics (conditional create, revoke only a live key of its
 * owner, `recordUse` only when the last use is older than the cutoff). Records are copied in and out.
 * @example const keys = new MemoryApiKeyStore();
 */
export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly byHash = new Map<string, ApiKeyRecord>();
  /** How many reads and writes were made, for tests of the authorizer's budget (S78). */
  readonly calls = { findByHash: 0, recordUse: 0 };

  async create(record: ApiKeyRecord): Promise<void> {
    if (this.byHash.has(record.hash)) throw new ConditionFailedError('create api key: condition failed');
    this.byHash.set(record.hash, structuredClone(record));
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    this.calls.findByHash++;
    const r = this.byHash.get(hash);
    return r && structuredClone(r);
  }

  async recordUse(hash: string, at: number, notAfter: number): Promise<boolean> {
    this.calls.recordUse++;
    const r = this.byHash.get(hash);
    if (!r || r.revokedAt !== undefined || (r.lastUsedAt !== undefined && r.lastUsedAt >= notAfter)) return false;
    r.lastUsedAt = at;
    return true;
  }

  async listByOwner(owner: string): Promise<ApiKeyRecord[]> {
    return [...this.byHash.values()]
      .filter((r) => r.owner === owner && r.revokedAt === undefined)
      .sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id))
      .map((r) => structuredClone(r));
  }

  async revoke(
    owner: string,
    id: string,
    at: number,
    reason: NonNullable<ApiKeyRecord['revokedReason']>,
  ): Promise<ApiKeyRecord | undefined> {
    const r = [...this.byHash.values()].find((k) => k.owner === owner && k.id === id && k.revokedAt === undefined);
    if (!r) return undefined;
    Object.assign(r, { revokedAt: at, revokedReason: reason });
    return structuredClone(r);
  }

  async revokeAllOf(
    owner: string,
    at: number,
    reason: NonNullable<ApiKeyRecord['revokedReason']>,
    which: (record: ApiKeyRecord) => boolean = () => true,
  ): Promise<number> {
    let n = 0;
    for (const r of this.byHash.values()) {
      if (r.owner === owner && r.revokedAt === undefined && which(structuredClone(r))) {
        Object.assign(r, { revokedAt: at, revokedReason: reason });
        n++;
      }
    }
    return n;
  }
}

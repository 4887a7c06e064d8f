import { ConditionFailedError } from '../../domain/errors.js';
import type { EmailTokenPurpose, EmailTokenRecord, EmailTokenStore } from '../../ports/email-token-store.js';

/**
 * In-memory `EmailTokenStore` with the DynamoDB store's semantics: every method checks all its conditions and
 * then writes, in one synchronous step (what a DynamoDB transaction guarantees).
 * @example const links = new MemoryEmailTokenStore();
 */
export class MemoryEmailTokenStore implements EmailTokenStore {
  private readonly links = new Map<string, EmailTokenRecord>();
  private readonly latest = new Map<string, string>();

  async issue(record: EmailTokenRecord): Promise<void> {
    if (this.links.has(record.tokenHash)) throw new ConditionFailedError('issue email token: condition failed');
    this.links.set(record.tokenHash, structuredClone(record));
    this.latest.set(latestKey(record.purpose, record.emailHash), record.tokenHash);
  }

  async get(tokenHash: string): Promise<EmailTokenRecord | undefined> {
    const link = this.links.get(tokenHash);
    return link && structuredClone(link);
  }

  async findLatest(purpose: EmailTokenPurpose, emailHash: string): Promise<EmailTokenRecord | undefined> {
    const tokenHash = this.latest.get(latestKey(purpose, emailHash));
    return tokenHash === undefined ? undefined : this.get(tokenHash);
  }

  async reserveCodeAttempt(tokenHash: string, maxAttempts: number): Promise<boolean> {
    const link = this.links.get(tokenHash);
    if (!link || (link.attempts ?? 0) >= maxAttempts) return false;
    link.attempts = (link.attempts ?? 0) + 1;
    return true;
  }

  async consume(tokenHash: string, nowSeconds: number, maxAttempts: number): Promise<EmailTokenRecord> {
    const link = this.links.get(tokenHash);
    const ok =
      link !== undefined &&
      link.usedAt === undefined &&
      link.expiresAt > nowSeconds &&
      (link.attempts ?? 0) <= maxAttempts &&
      this.latest.get(latestKey(link.purpose, link.emailHash)) === tokenHash;
    if (!ok) throw new ConditionFailedError('consume email token: condition failed');
    link.usedAt = nowSeconds;
    return structuredClone(link);
  }

  /** Every stored item, as a table scan would return it. */
  dump(): unknown[] {
    return structuredClone([...this.links.values(), ...[...this.latest.entries()].map(([k, v]) => ({ k, v }))]);
  }
}

const latestKey = (purpose: EmailTokenPurpose, emailHash: string) => `${purpose}#${emailHash}`;

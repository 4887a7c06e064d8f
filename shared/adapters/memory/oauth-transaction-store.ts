import { ConditionFailedError } from '../../domain/errors.js';
import type { OAuthTransaction, OAuthTransactionStore } from '../../ports/oauth-transaction-store.js';

/**
 * In-memory `OAuthTransactionStore` with the DynamoDB store's semantics: take-once, refused after `expiresAt`.
 * @example const txs = new MemoryOAuthTransactionStore();
 */
export class MemoryOAuthTransactionStore implements OAuthTransactionStore {
  private readonly items = new Map<string, OAuthTransaction>();

  async create(tx: OAuthTransaction): Promise<void> {
    if (this.items.has(tx.stateHash)) throw new ConditionFailedError('create oauth transaction: condition failed');
    this.items.set(tx.stateHash, structuredClone(tx));
  }

  async consume(stateHash: string, nowSeconds: number): Promise<OAuthTransaction | undefined> {
    const tx = this.items.get(stateHash);
    if (!tx || tx.expiresAt <= nowSeconds) return undefined;
    this.items.delete(stateHash);
    return tx;
  }
}

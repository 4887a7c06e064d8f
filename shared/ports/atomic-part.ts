/**
 * One store's write prepared to commit in another store's transaction, so that a sign-in's last steps (a code's
 * step recorded, its challenge spent, a counter cleared, the account still enabled) and the new session are all or
 * nothing, in one round trip. Opaque to the domain: each adapter family builds and runs its own (`op` is a
 * TransactWriteItem for DynamoDB, a check-and-apply pair in memory); the two are never mixed.
 */
export interface AtomicPart {
  /** What the domain answers when this part's condition does not hold. */
  readonly failure: AtomicFailure;
  readonly op: unknown;
}

/** `stale`: a sign-in copy no longer matches the items it was made from (shared/ports/sign-in-copy.ts). */
export type AtomicFailure =
  'invalid_code' | 'invalid_token' | 'account_disabled' | 'invalid_credentials' | 'stale' | 'none';

/** The transaction did not commit because `failure`'s part did not hold; nothing was written. */
export class AtomicPartFailedError extends Error {
  override readonly name = 'AtomicPartFailedError';
  constructor(readonly failure: AtomicFailure) {
    super(`an atomic part did not hold: ${failure}`);
  }
}

/** The in-memory form of `op`: the check and the write run in one synchronous step. */
export interface MemoryAtomicOp {
  check(): boolean;
  apply(): void;
}

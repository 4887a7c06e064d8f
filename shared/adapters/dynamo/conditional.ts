/**
 * SDK errors are translated here, at the adapter edge: a lost conditional write becomes the domain's
 * `ConditionFailedError`; anything else (throttling, network) propagates unchanged, and the HTTP chain answers
 * `503 service_unavailable` for an outage (shared/http/dependency-failure.ts) or `500` for a bug.
 */
import {
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../domain/errors.js';
import { AtomicPartFailedError, type AtomicPart } from '../../ports/atomic-part.js';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Attempts after a `TransactionConflict`; enough for dozens of concurrent writers on one item. */
export const CONFLICT_ATTEMPTS = 6;

export function isConditionalCheckFailed(e: unknown): boolean {
  return e instanceof Error && e.name === 'ConditionalCheckFailedException';
}

function cancellationCodes(e: unknown): string[] {
  if (!(e instanceof Error) || e.name !== 'TransactionCanceledException') return [];
  const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

/**
 * Runs `send`, and again after a jittered pause while `isConflict` says it lost to a concurrent transaction on
 * the same item (up to `CONFLICT_ATTEMPTS` in all): a conflict says nothing about the write's own conditions, so
 * the retry sees the winner's write and answers properly, instead of the caller guessing who won.
 */
export async function retryOnConflict<T>(send: () => Promise<T>, isConflict: (e: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (!isConflict(e) || attempt >= CONFLICT_ATTEMPTS) throw e;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** A single-item write (UpdateItem, PutItem …) that lost to a transaction holding its item. */
export const isTransactionConflict = (e: unknown): boolean =>
  e instanceof Error && e.name === 'TransactionConflictException';

/**
 * Runs one TransactWriteItems. A cancelled transaction whose reasons include `ConditionalCheckFailed` throws
 * `ConditionFailedError`. One cancelled only by a `TransactionConflict` (another transaction held one of the
 * items) is retried (`retryOnConflict`).
 */
export async function transactWrite(
  doc: DynamoDBDocumentClient,
  items: TransactItems,
  what: string,
  /** Other stores' writes riding in this transaction: a failed one throws `AtomicPartFailedError` naming it. */
  parts: readonly AtomicPart[] = [],
): Promise<void> {
  const all = [...items, ...parts.map((p) => p.op as TransactItems[number])];
  try {
    await retryOnConflict(
      () => doc.send(new TransactWriteCommand({ TransactItems: all })),
      (e) => {
        const codes = cancellationCodes(e);
        return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
      },
    );
  } catch (e) {
    const codes = cancellationCodes(e);
    const failedPart = codes.findIndex((c, i) => i >= items.length && c === 'ConditionalCheckFailed');
    if (failedPart >= 0) throw new AtomicPartFailedError(parts[failedPart - items.length].failure);
    if (codes.includes('ConditionalCheckFailed'))
      throw new ConditionFailedError(`${what}: condition failed`, { cause: e });
    throw e;
  }
}

import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchGetItem takes at most 100 keys a call. */
const MAX_KEYS = 100;

/**
 * Strongly consistent reads of the items with these partition keys (`pk`), in as few BatchGetItem calls as the
 * limit allows, asking again for whatever DynamoDB left unprocessed. Missing items are simply absent; the order is
 * DynamoDB's.
 */
export async function batchGetConsistent(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pks: readonly string[],
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < pks.length; i += MAX_KEYS) {
    let keys: Record<string, unknown>[] | undefined = pks.slice(i, i + MAX_KEYS).map((pk) => ({ pk }));
    while (keys && keys.length > 0) {
      const out: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      found.push(...(out.Responses?.[tableName] ?? []));
      keys = out.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return found;
}

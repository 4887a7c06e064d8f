import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createDynamoClient } from '../../shared/adapters/dynamo/client.js';
import { createTables, type TableNames } from '../../shared/adapters/dynamo/create-tables.js';

export interface FreshTables {
  doc: DynamoDBDocumentClient;
  client: DynamoDBClient;
  tables: TableNames;
}

/** The DynamoDB Local endpoint started by `test/helpers/global-setup.ts`. */
export function dynamoEndpoint(): string {
  const endpoint = process.env['DYNAMODB_ENDPOINT'];
  if (!endpoint)
    throw new Error('DYNAMODB_ENDPOINT is not set: is test/helpers/global-setup.ts in vitest.config.ts globalSetup?');
  return endpoint;
}

/**
 * Creates every table under a random prefix on the shared DynamoDB Local, so test files running in parallel
 * never see each other's items.
 * @example const { doc, tables } = await freshTables(); // in beforeAll
 */
export async function freshTables(prefix = `t${randomBytes(4).toString('hex')}-`): Promise<FreshTables> {
  const endpoint = dynamoEndpoint();
  const doc = createDocumentClient({ endpoint });
  const client = createDynamoClient({ endpoint });
  const tables = await createTables(client, prefix);
  return { doc, client, tables };
}

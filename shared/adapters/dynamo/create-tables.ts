import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDefinition } from './tables.js';

export type TableNames = Record<TableDefinition['envVar'], string>;

/**
 * Creates every table of `TABLES` as `${prefix}${id}` for the local runner and the tests (CDK does this in
 * the cloud from the same definitions). Idempotent: existing tables and TTL settings are left alone.
 * @example const tables = await createTables(createDynamoClient({ endpoint }), 'dev-'); // { USERS_TABLE: 'dev-Users', … }
 */
export async function createTables(client: DynamoDBClient, prefix: string): Promise<TableNames> {
  const names = {} as TableNames;
  await Promise.all(
    TABLES.map(async (table) => {
      const name = `${prefix}${table.id}`;
      await createTable(client, table, name);
      if (table.ttlAttribute) await enableTtl(client, name, table.ttlAttribute);
      names[table.envVar] = name;
    }),
  );
  return names;
}

async function createTable(client: DynamoDBClient, table: TableDefinition, name: string): Promise<void> {
  const keys = new Set([table.partitionKey, ...table.globalSecondaryIndexes.map((g) => g.partitionKey)]);
  const input: CreateTableCommandInput = {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
    AttributeDefinitions: [...keys].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
  };
  if (table.globalSecondaryIndexes.length > 0) {
    input.GlobalSecondaryIndexes = table.globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [{ AttributeName: g.partitionKey, KeyType: 'HASH' }],
      Projection: { ProjectionType: g.projection },
    }));
  }
  try {
    await client.send(new CreateTableCommand(input));
  } catch (e) {
    if (!(e instanceof Error && e.name === 'ResourceInUseException')) throw e;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: name });
}

async function enableTtl(client: DynamoDBClient, name: string, attribute: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  // UpdateTimeToLive refuses to re-enable an enabled TTL, so look first to stay idempotent.
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
}

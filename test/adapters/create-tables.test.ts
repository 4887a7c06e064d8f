import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTables } from '../../shared/adapters/dynamo/create-tables.js';
import { FAMILIES_BY_USER_INDEX } from '../../shared/adapters/dynamo/tables.js';
import { freshTables } from '../helpers/dynamo.js';

describe('Function: createTables', () => {
  it('S26: enables TTL on expiresAt for the refresh and ephemeral tables, and on the attempt counts of the users table', async () => {
    // Prepare
    const { client, tables } = await freshTables();

    // Act
    const ttl = async (TableName: string) =>
      (await client.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription;
    const [refresh, ephemeral, users] = await Promise.all([
      ttl(tables.REFRESH_TOKENS_TABLE),
      ttl(tables.EPHEMERAL_TABLE),
      ttl(tables.USERS_TABLE),
    ]);

    // Assess
    expect(refresh).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    expect(ephemeral).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    // Only an unknown address's attempt count holds a number there (test/adapters/sign-in-copy.test.ts).
    expect(users).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'attemptsExpireAt' });
  });

  it('creates the keys-only family index and is idempotent', async () => {
    // Prepare
    const prefix = `idem${Date.now()}-`;
    const { client } = await freshTables(prefix);

    // Act
    const again = await createTables(client, prefix);
    const table = await client.send(new DescribeTableCommand({ TableName: again.REFRESH_TOKENS_TABLE }));

    // Assess
    expect(again).toEqual({
      USERS_TABLE: `${prefix}Users`,
      REFRESH_TOKENS_TABLE: `${prefix}RefreshTokens`,
      EPHEMERAL_TABLE: `${prefix}Ephemeral`,
      MAGIC_LINKS_TABLE: `${prefix}MagicLinks`,
      CLIENTS_TABLE: `${prefix}Clients`,
      API_KEYS_TABLE: `${prefix}ApiKeys`,
    });
    expect(table.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Table?.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: FAMILIES_BY_USER_INDEX,
        KeySchema: [{ AttributeName: 'familyOwner', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      }),
    ]);
  });
});

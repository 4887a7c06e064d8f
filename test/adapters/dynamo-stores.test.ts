import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { beforeAll } from 'vitest';
import { DynamoRateLimiter } from '../../shared/adapters/dynamo/rate-limiter.js';
import { DynamoRefreshTokenStore } from '../../shared/adapters/dynamo/refresh-token-store.js';
import { DynamoUserStore } from '../../shared/adapters/dynamo/user-store.js';
import { freshTables, type FreshTables } from '../helpers/dynamo.js';
import { DynamoOAuthTransactionStore } from '../../shared/adapters/dynamo/oauth-transaction-store.js';
import { oauthTransactionStoreContract, userIdentityContract } from './store-contract.js';
import { DynamoEmailTokenStore } from '../../shared/adapters/dynamo/email-token-store.js';
import {
  emailTokenStoreContract,
  rateLimiterContract,
  refreshTokenStoreContract,
  userStoreContract,
} from './store-contract.js';

// One set of tables for the file; every test uses random ids and keys, so tests cannot see each other's items.
let local: FreshTables;
beforeAll(async () => {
  local = await freshTables();
});

userStoreContract('DynamoUserStore', async () => new DynamoUserStore(local.doc, local.tables.USERS_TABLE));

refreshTokenStoreContract('DynamoRefreshTokenStore', async () => ({
  store: new DynamoRefreshTokenStore(local.doc, local.tables.REFRESH_TOKENS_TABLE),
  scan: async () => {
    const items: unknown[] = [];
    for await (const page of paginateScan({ client: local.doc }, { TableName: local.tables.REFRESH_TOKENS_TABLE })) {
      items.push(...(page.Items ?? []));
    }
    return items;
  },
}));

rateLimiterContract(
  'DynamoRateLimiter',
  async (clock) => new DynamoRateLimiter(local.doc, local.tables.EPHEMERAL_TABLE, clock),
);

userIdentityContract('DynamoUserStore', async () => new DynamoUserStore(local.doc, local.tables.USERS_TABLE));

oauthTransactionStoreContract(
  'DynamoOAuthTransactionStore',
  async () => new DynamoOAuthTransactionStore(local.doc, local.tables.EPHEMERAL_TABLE),
);
emailTokenStoreContract('DynamoEmailTokenStore', async () => ({
  store: new DynamoEmailTokenStore(local.doc, local.tables.MAGIC_LINKS_TABLE),
  scan: async () => {
    const items: unknown[] = [];
    for await (const page of paginateScan({ client: local.doc }, { TableName: local.tables.MAGIC_LINKS_TABLE }))
      items.push(...(page.Items ?? []));
    return items;
  },
}));

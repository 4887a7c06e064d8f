/**
 * Table definitions shared by the CDK construct and the local runner (DynamoDB Local), so the two
 * cannot drift. Every table has one string partition key `pk`; TTL tables expire on `expiresAt`
 * (epoch seconds), which the code also checks at read time because TTL deletes lazily. The users table's TTL
 * removes only the attempt counts of unknown addresses (users-table-keys.ts, ATTEMPTS_EXPIRE_AT).
 */
import { ATTEMPTS_EXPIRE_AT } from './users-table-keys.js';

export interface TableDefinition {
  /** Logical name: construct id in CDK, table name prefix locally. */
  id: 'Users' | 'RefreshTokens' | 'Ephemeral' | 'MagicLinks' | 'Clients' | 'ApiKeys';
  /** Environment variable that carries the table name to the functions. */
  envVar:
    | 'USERS_TABLE'
    | 'REFRESH_TOKENS_TABLE'
    | 'EPHEMERAL_TABLE'
    | 'MAGIC_LINKS_TABLE'
    | 'CLIENTS_TABLE'
    | 'API_KEYS_TABLE';
  partitionKey: 'pk';
  ttlAttribute?: 'expiresAt' | typeof ATTEMPTS_EXPIRE_AT;
  pointInTimeRecovery: boolean;
  globalSecondaryIndexes: { indexName: string; partitionKey: string; projection: 'KEYS_ONLY' | 'ALL' }[];
}

/** GSI of the refresh table: one row per family, keyed by owner, for logout-all. */
export const FAMILIES_BY_USER_INDEX = 'familiesByUser';

/** GSI of the API-key table: the keys of one owner, for the list and for revocation by id. */
export const API_KEYS_BY_OWNER_INDEX = 'apiKeysByOwner';

export const TABLES: readonly TableDefinition[] = [
  {
    id: 'Users',
    envVar: 'USERS_TABLE',
    partitionKey: 'pk',
    ttlAttribute: ATTEMPTS_EXPIRE_AT,
    pointInTimeRecovery: true,
    globalSecondaryIndexes: [],
  },
  {
    id: 'RefreshTokens',
    envVar: 'REFRESH_TOKENS_TABLE',
    partitionKey: 'pk',
    ttlAttribute: 'expiresAt',
    pointInTimeRecovery: false,
    globalSecondaryIndexes: [
      { indexName: FAMILIES_BY_USER_INDEX, partitionKey: 'familyOwner', projection: 'KEYS_ONLY' },
    ],
  },
  {
    id: 'Ephemeral',
    envVar: 'EPHEMERAL_TABLE',
    partitionKey: 'pk',
    ttlAttribute: 'expiresAt',
    pointInTimeRecovery: false,
    globalSecondaryIndexes: [],
  },
  // Email links and codes (magic link, email verification, password reset), by token hash; TTL on expiresAt.
  {
    id: 'MagicLinks',
    envVar: 'MAGIC_LINKS_TABLE',
    partitionKey: 'pk',
    ttlAttribute: 'expiresAt',
    pointInTimeRecovery: false,
    globalSecondaryIndexes: [],
  },
  // Machine clients (OAuth 2.0 client credentials), by client id. A table of their own, not items of the users table:
  // the admin list is a Scan of clients only, and the public token endpoint reads clients without any grant on
  // the users table (password hashes, factors). Durable configuration, so point-in-time recovery is on.
  { id: 'Clients', envVar: 'CLIENTS_TABLE', partitionKey: 'pk', pointInTimeRecovery: true, globalSecondaryIndexes: [] },
  // Personal API keys by key hash (S77); TTL on expiresAt removes a key after it expires (revoked ones too).
  {
    id: 'ApiKeys',
    envVar: 'API_KEYS_TABLE',
    partitionKey: 'pk',
    ttlAttribute: 'expiresAt',
    pointInTimeRecovery: false,
    globalSecondaryIndexes: [{ indexName: API_KEYS_BY_OWNER_INDEX, partitionKey: 'owner', projection: 'ALL' }],
  },
];

/**
 * Personal API keys (S77): create (the key is shown once), list, revoke. The authorizer side is
 * `shared/authorizer/api-key-path.ts`.
 */
import { randomUUID } from 'node:crypto';
import { AuthError } from '../errors.js';
import { securityEvent } from '../../observability/log.js';
import { nowSeconds, type Clock } from '../../ports/clock.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../ports/api-key-store.js';
import { apiKeyHash, displayPrefix, generateApiKey } from './format.js';

export interface ApiKeyDeps {
  clock: Clock;
  apiKeys: ApiKeyStore;
}

/** Who asks, as the authorizer passed it. */
export interface ApiKeyCaller {
  userId: string;
  roles: string[];
  /** The caller's scopes: a key gets a subset. */
  scopes: string[];
  /** Set when the caller authenticated with an API key itself. */
  apiKeyId?: string;
  /** Set when the caller is a machine client (a client token): it has no account to own a key. */
  clientId?: string;
}

export interface CreateApiKeyInput {
  name: string;
  scopes?: string[];
  expiresInDays?: number;
}

/** What the list shows of a key: never the key or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

export const MAX_EXPIRES_IN_DAYS = 365;
export const DEFAULT_EXPIRES_IN_DAYS = 90;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export const apiKeyView = (r: ApiKeyRecord): ApiKeyView => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: iso(r.createdAt),
  expiresAt: iso(r.expiresAt),
  lastUsedAt: r.lastUsedAt === undefined ? null : iso(r.lastUsedAt),
});

/**
 * Makes a key for the caller. Its scopes are a subset of the caller's (all of them by default), never more; it
 * expires after `expiresInDays` (≤ 365). A key cannot make keys: a leaked key must not mint its own successors.
 * @example const { key } = await createApiKey(deps, caller, { name: 'ci', scopes: ['openid'] });
 */
export async function createApiKey(
  deps: ApiKeyDeps,
  caller: ApiKeyCaller,
  input: CreateApiKeyInput,
): Promise<ApiKeyView & { key: string }> {
  if (caller.apiKeyId !== undefined) {
    throw new AuthError('forbidden', 'An API key cannot create API keys: sign in to create one.');
  }
  if (caller.clientId !== undefined) throw new AuthError('forbidden', 'API keys belong to accounts, not to clients.');
  const scopes = [...new Set(input.scopes ?? caller.scopes)];
  const extra = scopes.filter((s) => !caller.scopes.includes(s));
  if (extra.length > 0) throw new AuthError('invalid_request', `scopes: not granted to you: ${extra.join(' ')}`);
  const days = input.expiresInDays ?? DEFAULT_EXPIRES_IN_DAYS;
  const now = nowSeconds(deps.clock);
  const key = generateApiKey();
  const record: ApiKeyRecord = {
    id: randomUUID(),
    hash: apiKeyHash(key),
    owner: caller.userId,
    name: input.name,
    prefix: displayPrefix(key),
    scopes,
    roles: caller.roles,
    createdAt: now,
    expiresAt: now + days * 86_400,
  };
  await deps.apiKeys.create(record);
  securityEvent('api_key_created', { userId: caller.userId, keyId: record.id, expiresAt: record.expiresAt });
  return { ...apiKeyView(record), key };
}

/** The caller's live keys (revoked ones are gone from the list; expired ones stay until their TTL removes them). */
export async function listApiKeys(deps: ApiKeyDeps, caller: Pick<ApiKeyCaller, 'userId'>): Promise<ApiKeyView[]> {
  return (await deps.apiKeys.listByOwner(caller.userId)).map(apiKeyView);
}

/** Revokes one of the caller's keys; 404 for an id that is not a live key of the caller's (no hint whose it is). */
export async function revokeApiKey(deps: ApiKeyDeps, caller: Pick<ApiKeyCaller, 'userId'>, id: string): Promise<void> {
  const revoked = await deps.apiKeys.revoke(caller.userId, id, nowSeconds(deps.clock), 'owner');
  if (!revoked) throw new AuthError('not_found', 'No API key with this id.');
  securityEvent('api_key_revoked', { userId: caller.userId, keyId: id, reason: 'owner' });
}

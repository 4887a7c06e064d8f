/**
 * The authorizer's API-key path (S77, S78): loaded only when a well-formed `lak_…` key arrives, so a JWT request
 * never loads it (nor the AWS SDK it brings). In the Lambda bundle it is a file of its own beside `index.mjs`
 * (see `functions/authorizer/api-key-path.ts`), imported on first use.
 *
 * Budget: at most one `GetItem` per key per `cacheSeconds`, and a `lastUsedAt` write at most once per
 * `recordUseEverySeconds` per key (a conditional write, so concurrent instances do not each write). The cache is
 * keyed on the key's hash: one caller's answer never serves another caller's key.
 */
import type { AccessTokenClaims } from '../domain/verify-access-token.js';
import { apiKeyHash } from '../domain/api-keys/format.js';
import { logger, securityEvent } from '../observability/log.js';
import type { ApiKeyLookup, ApiKeyRecord } from '../ports/api-key-store.js';

export type ApiKeyRefusal = 'unknown_api_key' | 'revoked_api_key' | 'expired_api_key' | 'api_keys_unavailable';

export class ApiKeyRefusedError extends Error {
  override readonly name = 'ApiKeyRefusedError';
  constructor(
    readonly reason: ApiKeyRefusal,
    options?: { cause?: unknown },
  ) {
    super(`api key refused: ${reason}`, options);
  }
}

/** What the authorizer hands on for a key: the owner, with the key's scopes and the owner's roles. */
export interface ApiKeyClaims extends AccessTokenClaims {
  apiKeyId: string;
}

export interface ApiKeyPathOptions {
  lookup: ApiKeyLookup;
  /**
   * How long a read serves this instance. Together with API Gateway's own authorizer cache it bounds how late a
   * revocation or the owner's disablement is seen: the stack sets it to 60 s minus the gateway's TTL (S77).
   */
  cacheSeconds: number;
  /** @default 60 */
  recordUseEverySeconds?: number;
  /** Epoch seconds. @default the system clock */
  now?: () => number;
  /** Entries kept at most (oldest dropped first). @default 10000 */
  maxEntries?: number;
}

export type ApiKeyAuthenticator = (key: string) => Promise<ApiKeyClaims>;

/**
 * @example const authenticate = createApiKeyPath({ lookup: new DynamoApiKeyStore(doc, table), cacheSeconds: 0 });
 */
export function createApiKeyPath(options: ApiKeyPathOptions): ApiKeyAuthenticator {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const every = options.recordUseEverySeconds ?? 60;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { record: ApiKeyRecord | undefined; until: number }>();
  /** When this instance last recorded a use of each key, so a zero-second cache still writes once a minute. */
  const recorded = new Map<string, number>();

  async function read(hash: string, t: number): Promise<ApiKeyRecord | undefined> {
    const hit = cache.get(hash);
    if (hit && hit.until > t) return hit.record;
    let record: ApiKeyRecord | undefined;
    try {
      record = await options.lookup.findByHash(hash);
    } catch (cause) {
      throw new ApiKeyRefusedError('api_keys_unavailable', { cause });
    }
    cache.delete(hash);
    if (options.cacheSeconds > 0) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(hash, { record, until: t + options.cacheSeconds });
    }
    return record;
  }

  async function recordUse(record: ApiKeyRecord, t: number): Promise<void> {
    const last = Math.max(record.lastUsedAt ?? 0, recorded.get(record.hash) ?? 0);
    if (t - last < every) return;
    recorded.delete(record.hash);
    if (recorded.size >= maxEntries) recorded.delete(recorded.keys().next().value!);
    recorded.set(record.hash, t);
    try {
      await options.lookup.recordUse(record.hash, t, t - every + 1);
    } catch (e) {
      // Bookkeeping only: a failed write never refuses a valid key.
      logger.warn('api key lastUsedAt not recorded', { keyId: record.id, error: (e as Error).name });
    }
  }

  return async (key) => {
    const t = now();
    const hash = apiKeyHash(key);
    const record = await read(hash, t);
    if (!record) throw new ApiKeyRefusedError('unknown_api_key');
    if (record.revokedAt !== undefined) {
      securityEvent('api_key_used_after_revocation', {
        keyId: record.id,
        userId: record.owner,
        reason: record.revokedReason,
      });
      throw new ApiKeyRefusedError('revoked_api_key');
    }
    if (record.expiresAt <= t) throw new ApiKeyRefusedError('expired_api_key');
    await recordUse(record, t);
    return {
      sub: record.owner,
      email: '',
      emailVerified: false,
      roles: record.roles,
      scope: record.scopes.join(' '),
      jti: `api_key:${record.id}`,
      exp: record.expiresAt,
      iat: record.createdAt,
      amr: [],
      apiKeyId: record.id,
    };
  };
}

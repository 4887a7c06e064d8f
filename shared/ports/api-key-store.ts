/** One personal API key as stored: never the key itself, only its SHA-256 (S77). */
export interface ApiKeyRecord {
  /** Public id (for list and revoke); unrelated to the key. */
  id: string;
  /** SHA-256 of the key, hex: the lookup key. */
  hash: string;
  /** The owner's user id (`sub`). */
  owner: string;
  name: string;
  /** `lak_` and the first 8 characters, for display. */
  prefix: string;
  /** The key's scopes: a subset of the owner's when it was made. */
  scopes: string[];
  /** The owner's roles when the key was made; narrowed when an admin takes roles away, never widened. */
  roles: string[];
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds; also the table's TTL attribute (checked at read time too: TTL deletes lazily). */
  expiresAt: number;
  /** Epoch seconds of the last recorded use (recorded at most once a minute). */
  lastUsedAt?: number;
  /** Epoch seconds; set by revocation. A revoked key is kept until it expires, so a later use is recognised. */
  revokedAt?: number;
  /** Why it was revoked: by its owner, or because the owner was disabled or lost a role. */
  revokedReason?: 'owner' | 'owner_disabled' | 'roles_changed';
}

/** What the authorizer needs: one read by hash, and a throttled `lastUsedAt` write. */
export interface ApiKeyLookup {
  /** The record of a key hash, revoked or expired ones included; undefined when none. Strongly consistent. */
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /**
   * Records a use at `at` only if the stored `lastUsedAt` is older than `notAfter` (a conditional write, so
   * concurrent authorizer instances write once per minute per key, not once each). Returns whether it wrote.
   */
  recordUse(hash: string, at: number, notAfter: number): Promise<boolean>;
}

/** What the API-key routes need. */
export interface ApiKeyStore extends ApiKeyLookup {
  /** Stores a new key; throws `ConditionFailedError` when the hash exists (never, with 256 random bits). */
  create(record: ApiKeyRecord): Promise<void>;
  /** The owner's keys that are not revoked, newest first. */
  listByOwner(owner: string): Promise<ApiKeyRecord[]>;
  /** Revokes one live key of `owner`; returns it, or undefined when the owner has no such live key. */
  revoke(
    owner: string,
    id: string,
    at: number,
    reason: NonNullable<ApiKeyRecord['revokedReason']>,
  ): Promise<ApiKeyRecord | undefined>;
  /** Revokes every live key of `owner` (or those `which` selects); returns how many. */
  revokeAllOf(
    owner: string,
    at: number,
    reason: NonNullable<ApiKeyRecord['revokedReason']>,
    which?: (record: ApiKeyRecord) => boolean,
  ): Promise<number>;
}

import type { JWK } from 'jose';
import type { PublicKeySource } from '../ports/key-ring.js';
import { hasPrivateMembers } from '../domain/jwk.js';
import { httpGet, type HttpGetOptions, type HttpGetResponse } from './http-get.js';

export interface JwksKeySourceOptions {
  /** The JWKS document, e.g. `https://auth.example.com/.well-known/jwks.json`. HTTPS, or plain HTTP on loopback only. */
  url: string;
  /** After a fetch (successful or not), an unknown `kid` does not trigger another fetch for this long (S13). */
  cooldownSeconds: number;
  /** How long a fetched JWKS is used before it is refetched. */
  cacheSeconds: number;
  /**
   * How long past `cacheSeconds` the last good JWKS may still be used while refetches fail (the JWKS
   * endpoint being briefly down must not lock every caller out). After that, lookups throw.
   * @default cacheSeconds
   */
  maxStaleSeconds?: number;
  /** The GET (tests pass a fake). @default httpGet (./http-get.ts: Node's own client, not `fetch`) */
  get?: (url: URL, options: HttpGetOptions) => Promise<HttpGetResponse>;
  /** Clock override for tests (epoch ms). @default Date.now */
  now?: () => number;
  /** @default 3000 */
  timeoutMs?: number;
}

/** A JWKS this large is not ours; refuse it instead of parsing it. */
const MAX_JWKS_BYTES = 64 * 1024;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError';
}

/**
 * Keeps only what a verifier may use: public keys with a `kid`, meant for signatures. Private or
 * symmetric members (S44) and duplicated kids (which key would be meant?) are dropped, never "fixed".
 */
export function publicKeysByKid(doc: unknown): Map<string, JWK> {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new JwksFetchError('JWKS document has no "keys" array');
  const byKid = new Map<string, JWK>();
  const duplicated = new Set<string>();
  for (const k of keys as unknown[]) {
    if (typeof k !== 'object' || k === null || Array.isArray(k)) continue;
    const jwk = k as JWK;
    if (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || typeof jwk.kty !== 'string') continue;
    if (jwk.kty === 'oct' || hasPrivateMembers(jwk)) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (byKid.has(jwk.kid)) duplicated.add(jwk.kid);
    byKid.set(jwk.kid, Object.freeze({ ...jwk }));
  }
  for (const kid of duplicated) byKid.delete(kid);
  return byKid;
}

/**
 * Public keys for verifiers, read from the issuer's JWKS over HTTP(S): no AWS SDK and no access to the
 * private ring (S44), so the authorizer stays small and cannot sign. Built once per container.
 *
 * - The JWKS is cached for `cacheSeconds`.
 * - An unknown `kid` refetches at most once per `cooldownSeconds`, counted from the last fetch attempt,
 *   so a flood of random kids costs at most one fetch per cooldown (S13).
 * - Concurrent callers share one in-flight fetch.
 * - A failed fetch with no usable cache throws; the verifier turns that into a deny (S19).
 *
 * @example
 * const keys = new JwksKeySource({ url: config.JWKS_URL, cooldownSeconds: 30, cacheSeconds: 600 });
 * const verifier = new AccessTokenVerifier(keys, verifyOptions);
 */
export class JwksKeySource implements PublicKeySource {
  private readonly url: URL;
  private readonly get: (url: URL, options: HttpGetOptions) => Promise<HttpGetResponse>;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly cacheMs: number;
  private readonly maxStaleMs: number;

  private keys: Map<string, JWK> | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError: unknown;
  private inFlight: Promise<void> | undefined;

  constructor(options: JwksKeySourceOptions) {
    this.url = new URL(options.url);
    // Keys fetched over plain HTTP could be swapped by anyone on the path: that is a forged-token oracle.
    if (this.url.protocol !== 'https:' && !(this.url.protocol === 'http:' && LOOPBACK_HOSTS.has(this.url.hostname))) {
      throw new Error(`JWKS URL must use https (plain http is allowed on loopback only): ${this.url.origin}`);
    }
    this.get = options.get ?? httpGet;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.cooldownMs = options.cooldownSeconds * 1000;
    this.cacheMs = options.cacheSeconds * 1000;
    this.maxStaleMs = (options.maxStaleSeconds ?? options.cacheSeconds) * 1000;
  }

  async getKey(kid: string): Promise<JWK | undefined> {
    const age = this.now() - this.fetchedAt;
    if (!this.keys || age >= this.cacheMs) {
      await this.refresh();
      return this.usableKeys().get(kid);
    }
    const known = this.keys.get(kid);
    if (known) return known;
    // Unknown kid: perhaps a key published since the last fetch. Refetch, but only once per cooldown.
    // A fetch already in flight is joined: it may be the one that brings this kid.
    if (this.inFlight || this.now() - this.lastAttemptAt >= this.cooldownMs) await this.refresh();
    return this.usableKeys().get(kid);
  }

  /** `getKey`'s answer when it needs no fetch: the cache is fresh and holds `kid`. Otherwise undefined (ask `getKey`). */
  freshKey(kid: string): JWK | undefined {
    return this.keys !== undefined && this.now() - this.fetchedAt < this.cacheMs ? this.keys.get(kid) : undefined;
  }

  /** The cached keys if they are fresh, or stale within the allowance; otherwise the last fetch error. */
  private usableKeys(): Map<string, JWK> {
    if (this.keys && this.now() - this.fetchedAt < this.cacheMs + this.maxStaleMs) return this.keys;
    throw new JwksFetchError('JWKS is not available', { cause: this.lastError });
  }

  /** Single flight, and never more than one attempt per cooldown even when attempts fail. */
  private async refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.now() - this.lastAttemptAt < this.cooldownMs) return;
    this.lastAttemptAt = this.now();
    this.inFlight = this.load()
      .then(
        (keys) => {
          this.keys = keys;
          this.fetchedAt = this.now();
          this.lastError = undefined;
        },
        (error: unknown) => {
          // Swallowed here on purpose: usableKeys() decides whether a stale cache may still answer.
          this.lastError = error;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async load(): Promise<Map<string, JWK>> {
    // The URL is configuration: a redirect elsewhere is an error, not a key we never configured.
    const response = await this.get(this.url, {
      accept: 'application/json',
      timeoutMs: this.timeoutMs,
      maxBytes: MAX_JWKS_BYTES,
    });
    if (response.status < 200 || response.status > 299)
      throw new JwksFetchError(`JWKS fetch failed: HTTP ${response.status}`);
    const text = response.body;
    // The GET stops reading past maxBytes; a body that got here anyway is refused the same.
    if (text.length > MAX_JWKS_BYTES) throw new JwksFetchError('JWKS document is too large');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (cause) {
      throw new JwksFetchError('JWKS document is not JSON', { cause });
    }
    return publicKeysByKid(doc);
  }
}

import { exportJWK, generateKeyPair, generateSecret, type JWK } from 'jose';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpGetOptions, HttpGetResponse } from '../../shared/adapters/http-get.js';
import { JwksKeySource, type JwksKeySourceOptions } from '../../shared/adapters/jwks-key-source.js';
import { StaticKeySource } from '../../shared/adapters/static-key-source.js';

const URL_ = 'https://auth.example.test/.well-known/jwks.json';

let publicA: JWK;
let publicB: JWK;
let privateEc: JWK;
let privateRsa: JWK;
let octKey: JWK;

const json = (body: unknown, status = 200): HttpGetResponse => ({ status, body: JSON.stringify(body) });

/** A GET that serves whatever `served` holds now, and counts its calls (the real one: test/adapters/http-get.test.ts). */
function fakeFetch() {
  const state: { served: unknown; status: number; fail: boolean } = {
    served: { keys: [publicA] },
    status: 200,
    fail: false,
  };
  const fn = vi.fn(async (_url: URL, _options: HttpGetOptions) => {
    if (state.fail) throw new TypeError('fetch failed');
    return json(state.served, state.status);
  });
  return { fn, state };
}

let clock: number;
let fetcher: ReturnType<typeof fakeFetch>;
const source = (options: Partial<JwksKeySourceOptions> = {}) =>
  new JwksKeySource({
    url: URL_,
    cooldownSeconds: 30,
    cacheSeconds: 600,
    get: fetcher.fn,
    now: () => clock,
    ...options,
  });

beforeAll(async () => {
  const ec = await generateKeyPair('ES256', { extractable: true });
  publicA = { ...(await exportJWK(ec.publicKey)), kid: 'key-a', alg: 'ES256', use: 'sig' };
  privateEc = { ...(await exportJWK(ec.privateKey)), kid: 'key-private-ec', alg: 'ES256' };
  const ec2 = await generateKeyPair('ES256', { extractable: true });
  publicB = { ...(await exportJWK(ec2.publicKey)), kid: 'key-b', alg: 'ES256', use: 'sig' };
  const rsa = await generateKeyPair('RS256', { extractable: true });
  privateRsa = { ...(await exportJWK(rsa.privateKey)), kid: 'key-private-rsa', alg: 'RS256' };
  octKey = { ...(await exportJWK(await generateSecret('HS256', { extractable: true }))), kid: 'key-oct', alg: 'HS256' };
});

beforeEach(() => {
  clock = Date.UTC(2026, 0, 1);
  fetcher = fakeFetch();
});

describe('Class: JwksKeySource', () => {
  describe('caching', () => {
    it('fetches once and serves known kids from the cache for cacheSeconds', async () => {
      // Prepare
      const keys = source();

      // Act
      const first = await keys.getKey('key-a');
      clock += 599_000;
      const second = await keys.getKey('key-a');

      // Assess
      expect(first).toEqual(publicA);
      expect(second).toBe(first);
      expect(fetcher.fn).toHaveBeenCalledTimes(1);
    });

    it('refetches after cacheSeconds and picks up changes', async () => {
      // Prepare
      const keys = source();
      await keys.getKey('key-a');
      fetcher.state.served = { keys: [publicB] };

      // Act
      clock += 600_000;
      const a = await keys.getKey('key-a');
      const b = await keys.getKey('key-b');

      // Assess
      expect(a).toBeUndefined();
      expect(b).toEqual(publicB);
      expect(fetcher.fn).toHaveBeenCalledTimes(2);
    });

    it('fetches with its timeout, a JSON accept header and a 64 KB bound', async () => {
      // Act
      await source({ timeoutMs: 1234 }).getKey('key-a');

      // Assess
      const [url, options] = fetcher.fn.mock.calls[0];
      expect(String(url)).toBe(URL_);
      expect(options).toEqual({ accept: 'application/json', timeoutMs: 1234, maxBytes: 64 * 1024 });
    });

    it.each([301, 302, 307])('S19: refuses a %i redirect instead of following it', async (status) => {
      // Prepare
      fetcher.state.status = status;

      // Act / Assess
      await expect(source().getKey('key-a')).rejects.toThrow(/JWKS is not available/);
    });
  });

  describe('freshKey (the warm path without an await)', () => {
    it("answers at once with getKey's own object while the cache is fresh, and never for a kid it lacks", async () => {
      // Prepare
      const keys = source();
      expect(keys.freshKey('key-a')).toBeUndefined(); // nothing fetched yet
      const fetched = await keys.getKey('key-a');

      // Act / Assess
      expect(keys.freshKey('key-a')).toBe(fetched);
      expect(keys.freshKey('key-b')).toBeUndefined();
      expect(fetcher.fn).toHaveBeenCalledTimes(1);
    });

    it('S13, S19: says nothing once the cache is due, so expiry and refetch stay with getKey', async () => {
      // Prepare
      const keys = source();
      await keys.getKey('key-a');
      fetcher.state.served = { keys: [publicB] };

      // Act
      clock += 600_000;
      const due = keys.freshKey('key-a');
      const after = await keys.getKey('key-a');

      // Assess: a withdrawn key is not served from the sync path after its cache window.
      expect(due).toBeUndefined();
      expect(after).toBeUndefined();
      expect(keys.freshKey('key-b')).toEqual(publicB);
      expect(fetcher.fn).toHaveBeenCalledTimes(2);
    });
  });

  describe('unknown kid and cooldown (S13)', () => {
    it('refetches on an unknown kid at most once per cooldown', async () => {
      // Prepare
      const keys = source();
      await keys.getKey('key-a');
      clock += 31_000;

      // Act
      const results = [];
      for (let i = 0; i < 100; i++) results.push(await keys.getKey(`random-${i}`));
      const afterFirstCooldown = fetcher.fn.mock.calls.length;
      clock += 30_000;
      await keys.getKey('random-again');

      // Assess
      expect(results.every((r) => r === undefined)).toBe(true);
      expect(afterFirstCooldown).toBe(2);
      expect(fetcher.fn).toHaveBeenCalledTimes(3);
    });

    it('does not refetch for an unknown kid right after a fetch', async () => {
      // Prepare
      const keys = source();
      await keys.getKey('key-a');

      // Act
      await keys.getKey('nope');

      // Assess
      expect(fetcher.fn).toHaveBeenCalledTimes(1);
    });

    it('finds a newly published key on the refetch an unknown kid triggers', async () => {
      // Prepare
      const keys = source();
      await keys.getKey('key-a');
      fetcher.state.served = { keys: [publicA, publicB] };
      clock += 30_000;

      // Act
      const b = await keys.getKey('key-b');

      // Assess
      expect(b).toEqual(publicB);
      expect(fetcher.fn).toHaveBeenCalledTimes(2);
    });
  });

  describe('single flight', () => {
    it('concurrent callers share one in-flight fetch', async () => {
      // Prepare
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const slow = vi.fn(async () => {
        await gate;
        return json({ keys: [publicA] });
      });
      const keys = source({ get: slow });

      // Act
      const pending = Array.from({ length: 50 }, (_, i) => keys.getKey(i % 2 ? 'key-a' : `unknown-${i}`));
      release();
      const results = await Promise.all(pending);

      // Assess
      expect(slow).toHaveBeenCalledTimes(1);
      expect(results.filter(Boolean)).toHaveLength(25);
    });

    it('an unknown-kid caller during an in-flight fetch joins it instead of missing the new key', async () => {
      // Prepare
      const keys = source();
      await keys.getKey('key-a');
      clock += 30_000;
      fetcher.state.served = { keys: [publicA, publicB] };

      // Act: the first starts the refetch; the second arrives while it is in flight (and within the cooldown).
      const [x, y] = await Promise.all([keys.getKey('unknown'), keys.getKey('key-b')]);

      // Assess
      expect(x).toBeUndefined();
      expect(y).toEqual(publicB);
      expect(fetcher.fn).toHaveBeenCalledTimes(2);
    });
  });

  describe('failures (S19)', () => {
    it('throws when the first fetch fails and nothing is cached', async () => {
      // Prepare
      fetcher.state.fail = true;

      // Act / Assess
      await expect(source().getKey('key-a')).rejects.toThrow(/JWKS is not available/);
    });

    it.each([
      ['HTTP 503', { status: 503, served: { message: 'down' } }],
      ['a body without keys', { status: 200, served: { nope: true } }],
      ['a body that is not JSON', { status: 200, served: undefined }],
    ])('throws on %s with nothing cached', async (_kind, { status, served }) => {
      // Prepare
      fetcher.state.status = status;
      fetcher.state.served = served;
      const keys = source(served === undefined ? { get: async () => ({ status: 200, body: '<html>' }) } : {});

      // Act / Assess
      await expect(keys.getKey('key-a')).rejects.toThrow();
    });

    it('throws on a JWKS over 64 KB', async () => {
      // Prepare
      fetcher.state.served = { keys: [publicA], padding: 'x'.repeat(70_000) };

      // Act / Assess
      await expect(source().getKey('key-a')).rejects.toThrow();
    });

    it('after a failure, retries no sooner than the cooldown (and keeps failing closed meanwhile)', async () => {
      // Prepare
      const keys = source();
      fetcher.state.fail = true;
      await expect(keys.getKey('key-a')).rejects.toThrow();
      fetcher.state.fail = false;

      // Act
      clock += 10_000;
      const during = keys.getKey('key-a');
      await expect(during).rejects.toThrow();
      clock += 20_000;
      const after = await keys.getKey('key-a');

      // Assess
      expect(after).toEqual(publicA);
      expect(fetcher.fn).toHaveBeenCalledTimes(2);
    });

    it('serves the last good JWKS while refetches fail, up to maxStaleSeconds past expiry, then throws', async () => {
      // Prepare
      const keys = source({ maxStaleSeconds: 300 });
      await keys.getKey('key-a');
      fetcher.state.fail = true;

      // Act
      clock += 600_000 + 1_000;
      const stale = await keys.getKey('key-a');
      clock += 298_000;
      const stillStale = await keys.getKey('key-a');
      clock += 2_000;
      const tooOld = keys.getKey('key-a');

      // Assess
      expect(stale).toEqual(publicA);
      expect(stillStale).toEqual(publicA);
      await expect(tooOld).rejects.toThrow(/JWKS is not available/);
    });
  });

  describe('only public signing keys (S44)', () => {
    it('ignores private, symmetric, kid-less and encryption keys in the served JWKS', async () => {
      // Prepare
      const { kid: _kid, ...noKid } = publicB;
      fetcher.state.served = {
        keys: [
          publicA,
          privateEc,
          privateRsa,
          octKey,
          noKid,
          { ...publicB, kid: 'enc', use: 'enc' },
          'junk',
          null,
          [1],
        ],
      };
      const keys = source();

      // Act
      const found = await Promise.all(
        ['key-a', 'key-private-ec', 'key-private-rsa', 'key-oct', 'enc'].map((k) => keys.getKey(k)),
      );

      // Assess
      expect(found).toEqual([publicA, undefined, undefined, undefined, undefined]);
      expect(found[0]).not.toHaveProperty('d');
    });

    it('ignores a kid that appears twice (ambiguous)', async () => {
      // Prepare
      fetcher.state.served = { keys: [publicA, { ...publicB, kid: 'key-a' }] };

      // Act / Assess
      expect(await source().getKey('key-a')).toBeUndefined();
    });

    it('a key with prototype-ish kid is just a miss', async () => {
      expect(await source().getKey('__proto__')).toBeUndefined();
      expect(await source().getKey('constructor')).toBeUndefined();
    });
  });

  describe('URL', () => {
    it.each(['http://auth.example.test/jwks.json', 'ftp://auth.example.test/jwks.json'])(
      'refuses %s (keys over plain HTTP can be swapped)',
      (url) => {
        expect(() => source({ url })).toThrow(/https/);
      },
    );

    it.each(['http://127.0.0.1:9999/jwks.json', 'http://localhost:3000/jwks.json', 'http://[::1]:3000/jwks.json'])(
      'allows loopback %s',
      (url) => {
        expect(() => source({ url })).not.toThrow();
      },
    );
  });
});

describe('Class: StaticKeySource', () => {
  it('serves public keys by kid and ignores private ones (S44)', async () => {
    // Prepare
    const keys = new StaticKeySource({ keys: [publicA, privateEc, octKey] });

    // Act / Assess
    expect(await keys.getKey('key-a')).toEqual(publicA);
    expect(await keys.getKey('key-private-ec')).toBeUndefined();
    expect(await keys.getKey('key-oct')).toBeUndefined();
  });

  it('replace() swaps the published keys', async () => {
    // Prepare
    const keys = new StaticKeySource({ keys: [publicA] });

    // Act
    keys.replace({ keys: [publicB] });

    // Assess
    expect(await keys.getKey('key-a')).toBeUndefined();
    expect(await keys.getKey('key-b')).toEqual(publicB);
  });
});

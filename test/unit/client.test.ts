/**
 * The typed client against a fake server with the backend's refresh semantics: every refresh rotates the
 * cookie, and presenting a rotated token again is reuse (401 token_reused, session revoked).
 */
import { describe, expect, it } from 'vitest';
import { AuthClientError, createAuthClient } from '../../shared/client/index.js';

/** One browser: a cookie jar shared by its tabs, and a server that rotates and detects reuse. */
function fakeBrowserAndServer(opts: { accessTtl?: number } = {}) {
  let cookie: string | undefined;
  let seq = 0;
  const valid = new Set<string>();
  const rotated = new Set<string>();
  const stats = { refresh: 0, reused: 0, api: 0 };
  let nowMs = 1_000_000;
  let apiDown = false;
  const issue = (status = 200) => {
    const rt = `rt_${++seq}`;
    valid.add(rt);
    cookie = rt;
    return new Response(
      JSON.stringify({ accessToken: `at_${seq}`, tokenType: 'Bearer', expiresIn: opts.accessTtl ?? 900 }),
      {
        status,
        headers: { 'content-type': 'application/json' },
      },
    );
  };
  const error = (status: number, code: string) =>
    new Response(JSON.stringify({ error: code, message: code }), { status });
  const fetchImpl = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = String(input);
    const presented = cookie; // the browser attaches the cookie when it sends the request
    await new Promise((r) => setTimeout(r, 5)); // network latency lets concurrent callers overlap
    if (url.endsWith('/auth/login')) return issue();
    if (url.endsWith('/auth/refresh')) {
      stats.refresh++;
      if (!presented || !valid.has(presented)) {
        if (presented && rotated.has(presented)) {
          stats.reused++;
          valid.clear();
          return error(401, 'token_reused');
        }
        return error(401, 'invalid_token');
      }
      valid.delete(presented);
      rotated.add(presented);
      return issue();
    }
    if (url.endsWith('/api/data')) {
      stats.api++;
      const auth = new Headers(init.headers).get('authorization');
      return auth === `Bearer at_${seq}` && !apiDown ? new Response('ok') : error(401, 'unauthorized');
    }
    return error(404, 'not_found');
  };
  /** The Web Locks API as browsers implement it: one holder at a time per name, across tabs. */
  const chains = new Map<string, Promise<unknown>>();
  const locks = {
    request<T>(name: string, cb: () => Promise<T>): Promise<T> {
      const prev = chains.get(name) ?? Promise.resolve();
      const next = prev.then(cb, cb);
      chains.set(
        name,
        next.catch(() => undefined),
      );
      return next;
    },
  };
  return {
    fetchImpl,
    stats,
    locks,
    rejectAll: () => (apiDown = true),
    advance: (s: number) => (nowMs += s * 1000),
    now: () => nowMs,
    expireCookie: () => (cookie = undefined),
  };
}

describe('Function: createAuthClient', () => {
  it('N concurrent callers with an expired token cause exactly one refresh (single flight)', async () => {
    const b = fakeBrowserAndServer();
    const client = createAuthClient({ baseUrl: 'https://auth.test', fetch: b.fetchImpl, now: b.now });
    await client.signIn('a@example.com', 'pw');
    b.advance(901);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => client.getAccessToken()));
    expect(b.stats.refresh).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(b.stats.reused).toBe(0);
  });

  it('refreshes proactively shortly before expiry, not after every call', async () => {
    const b = fakeBrowserAndServer();
    const client = createAuthClient({
      baseUrl: 'https://auth.test',
      fetch: b.fetchImpl,
      now: b.now,
      refreshLeewaySeconds: 30,
    });
    await client.signIn('a@example.com', 'pw');
    await client.getAccessToken();
    b.advance(860);
    await client.getAccessToken();
    expect(b.stats.refresh).toBe(0);
    b.advance(20); // 880 s: inside the 30 s leeway
    await client.getAccessToken();
    expect(b.stats.refresh).toBe(1);
  });

  it('two tabs refreshing at once take turns through Web Locks: no reuse, both stay signed in', async () => {
    const b = fakeBrowserAndServer();
    (globalThis as any).navigator = { locks: b.locks };
    try {
      const tab1 = createAuthClient({ baseUrl: 'https://auth.test', fetch: b.fetchImpl, now: b.now });
      const tab2 = createAuthClient({ baseUrl: 'https://auth.test', fetch: b.fetchImpl, now: b.now });
      await tab1.signIn('a@example.com', 'pw');
      b.advance(901);
      const [t1, t2] = await Promise.all([tab1.refresh(), tab2.refresh()]);
      expect(b.stats.reused).toBe(0);
      expect(t1?.accessToken).toBeTruthy();
      expect(t2?.accessToken).toBeTruthy();
    } finally {
      delete (globalThis as any).navigator;
    }
  });

  it('without the lock, two tabs presenting one cookie would trip reuse detection (why the lock exists)', async () => {
    const b = fakeBrowserAndServer();
    const tab1 = createAuthClient({ baseUrl: 'https://auth.test', fetch: b.fetchImpl, now: b.now });
    const tab2 = createAuthClient({ baseUrl: 'https://auth.test', fetch: b.fetchImpl, now: b.now });
    await tab1.signIn('a@example.com', 'pw');
    await Promise.allSettled([tab1.refresh(), tab2.refresh()]);
    expect(b.stats.reused).toBe(1);
  });

  it('fetch attaches the bearer token and, after a 401, refreshes once and retries once', async () => {
    const b = fakeBrowserAndServer();
    const client = createAuthClient({ baseUrl: 'https://auth.test', fetch: b.fetchImpl, now: b.now });
    await client.signIn('a@example.com', 'pw');
    expect(await (await client.fetch('https://api.test/api/data')).text()).toBe('ok');
    // Another sign-in in this browser supersedes our access token on the (fake) API: 401, refresh, retry.
    await b.fetchImpl('https://auth.test/auth/login');
    const res = await client.fetch('https://api.test/api/data');
    expect(res.status).toBe(200);
    expect(b.stats.refresh).toBe(1);
    expect(b.stats.api).toBe(3);
  });

  it('fetch never loops: a second 401 is returned to the caller after one refresh', async () => {
    const b = fakeBrowserAndServer();
    const client = createAuthClient({ baseUrl: 'https://auth.test', fetch: b.fetchImpl, now: b.now });
    await client.signIn('a@example.com', 'pw');
    b.rejectAll();
    const res = await client.fetch('https://api.test/api/data');
    expect(res.status).toBe(401);
    expect(b.stats.refresh).toBe(1);
    expect(b.stats.api).toBe(2);
  });

  it('surfaces the server error code as AuthClientError', async () => {
    const b = fakeBrowserAndServer();
    const client = createAuthClient({ baseUrl: 'https://auth.test', fetch: b.fetchImpl, now: b.now });
    b.expireCookie();
    const err = await client.refresh().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthClientError);
    expect((err as AuthClientError).code).toBe('invalid_token');
    expect(await client.getAccessToken()).toBeUndefined();
  });

  it('native mode sends X-Token-Delivery: body and keeps the rotated refresh token in the store', async () => {
    let stored: string | undefined;
    const seen: { headers: Headers; body?: string }[] = [];
    const fetchImpl = async (input: string | URL | Request, init: RequestInit = {}) => {
      seen.push({ headers: new Headers(init.headers), body: init.body as string | undefined });
      const n = seen.length;
      return new Response(
        JSON.stringify({ accessToken: `at_${n}`, tokenType: 'Bearer', expiresIn: 900, refreshToken: `rt_${n}` }),
        { status: 200 },
      );
    };
    const client = createAuthClient({
      baseUrl: 'https://auth.test',
      fetch: fetchImpl,
      refreshStore: { get: () => stored, set: (t) => void (stored = t) },
    });
    await client.signIn('a@example.com', 'pw');
    expect(stored).toBe('rt_1');
    await client.refresh();
    expect(JSON.parse(seen[1].body!)).toEqual({ refreshToken: 'rt_1' });
    expect(seen[1].headers.get('x-token-delivery')).toBe('body');
    expect(stored).toBe('rt_2');
  });
});

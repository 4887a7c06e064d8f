/**
 * Case 4: what each endpoint costs. The local runner (the same handlers and adapters as in Lambda) runs
 * against DynamoDB Local and a loopback stand-in for Secrets Manager that serves the key ring, so the
 * production adapters (DynamoDB and Secrets Manager, not the local key-ring file) are on the path.
 *
 * - Calls per request: counted on the wire — every DynamoDB operation reaching the local runner's guard and
 *   every Secrets Manager request reaching the stand-in — over sequential, warmed-up requests.
 * - Latency and throughput: autocannon against login, refresh and the authorizer-protected `GET /auth/me`,
 *   bounded duration, loopback only. The gateway's authorizer cache is off (AUTHORIZER_CACHE_SECONDS=0), so
 *   every `/auth/me` runs the authorizer: the uncached worst case.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCode, totpStep } from '../../shared/domain/mfa/totp.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startLocal } from '../../infra/local/start.js';
import { createRing, toJwks } from '../../shared/domain/key-ring.js';
import { measurePasskeyCalls } from './endpoints-passkeys.js';
import { exact, progress, type Figure } from './stats.js';
import { answerSecretValue } from './secret-answer.js';

const counts = new Map<string, number>();
let secretsOnTheWire = 0;
/** Calls in flight right now, and how many calls started while none was: sequential round trips. */
let inFlight = 0;
let roundTrips = 0;

/**
 * Counts one AWS call as "<service> <Operation>" when it reaches the wire (the functions run in their own
 * threads, so the count is taken where their calls arrive: the DynamoDB guard and the Secrets Manager stand-in).
 * Calls that overlap (Promise.all, a transaction beside a read) share a round trip; one that starts after the
 * previous answered is a new one.
 */
function observeCall(phase: 'start' | 'end', service: string, operation: string): void {
  if (phase === 'end') {
    inFlight -= 1;
    return;
  }
  const key = `${service} ${operation}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if (inFlight === 0) roundTrips += 1;
  inFlight += 1;
}

/** A loopback Secrets Manager that answers GetSecretValue for the two secrets (and counts what reaches it). */
async function fakeSecretsManager(secrets: Record<string, string>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      secretsOnTheWire += 1;
      const target = String(req.headers['x-amz-target'] ?? '');
      observeCall('start', 'SecretsManager', target.split('.').pop() ?? '');
      res.on('close', () => observeCall('end', 'SecretsManager', ''));
      answerSecretValue(res, secrets, body, target === 'secretsmanager.GetSecretValue');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

interface Answer {
  status: number;
  json: any;
  cookies: string[];
}

export async function benchEndpoints(options: { seconds: number; connections: number }): Promise<Figure[]> {
  const ring = await createRing('ES256', new Date());
  const sm = await fakeSecretsManager({
    'bench-ring': JSON.stringify(ring),
    'bench-jwks': JSON.stringify(toJwks(ring)),
  });
  const backend = await startLocal({
    port: 0,
    dataDir: await mkdtemp(join(tmpdir(), 'auth-bench-')),
    tablePrefix: 'bench-',
    // Production adapters for the ring: Secrets Manager (the loopback stand-in), not the key-ring file.
    secretsManager: { endpoint: sm.url, keyRingSecretId: 'bench-ring', publicKeysSecretId: 'bench-jwks' },
    onDynamoCall: (phase, c) => observeCall(phase, 'DynamoDB', c.operation),
    // Every function started before anything is measured: cold starts are case 2's business.
    warm: true,
    env: {
      // Load from one IP against one account: the limiter must not be what is measured.
      LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
      LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000',
      SIGNUP_MAX_PER_IP: '100000',
      AUTHORIZER_CACHE_SECONDS: '0',
      // On a loaded machine the authorizer's first JWKS fetch may time out; retry soon rather than after 30 s.
      JWKS_COOLDOWN_SECONDS: '1',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
  });
  const base = backend.url;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined, cookies: res.headers.getSetCookie() };
  };
  const figures: Figure[] = [];
  try {
    const password = 'correct horse battery staple';
    let n = 0;
    const newEmail = () => `bench-${Date.now()}-${n++}@example.com`;
    const email = newEmail();
    const signedUp = await call('POST', '/auth/signup', { email, password, tokenDelivery: 'body' });
    if (signedUp.status !== 201) throw new Error(`signup failed: ${signedUp.status} ${JSON.stringify(signedUp.json)}`);
    const login = () => call('POST', '/auth/login', { email, password, tokenDelivery: 'body' });
    let session = (await login()).json as { accessToken: string; refreshToken: string };

    /** Runs `request` to warm up (retrying a cold start that failed), then `times` more, sequentially, and records the calls per request. */
    const measureCalls = async (name: string, expectStatus: number, request: () => Promise<Answer>, times = 5) => {
      progress(`SDK calls per request: ${name}`);
      let warm = await request();
      for (let attempt = 1; warm.status !== expectStatus && attempt < 5; attempt++) {
        await new Promise((ok) => setTimeout(ok, 1100));
        warm = await request();
      }
      if (warm.status !== expectStatus)
        throw new Error(`${name}: expected ${expectStatus}, got ${warm.status} ${JSON.stringify(warm.json)}`);
      counts.clear();
      roundTrips = 0;
      for (let i = 0; i < times; i++) {
        const r = await request();
        if (r.status !== expectStatus) throw new Error(`${name}: expected ${expectStatus}, got ${r.status}`);
      }
      let dynamo = 0;
      let secrets = 0;
      for (const [key, c] of counts) {
        if (key.startsWith('DynamoDB ')) dynamo += c;
        else secrets += c;
        figures.push(exact(`calls ${name}: ${key}`, 'calls/req', c / times));
      }
      figures.push(exact(`calls ${name}: DynamoDB total`, 'calls/req', dynamo / times));
      figures.push(exact(`calls ${name}: sequential round trips (all services)`, 'trips/req', roundTrips / times));
      figures.push(exact(`calls ${name}: Secrets Manager total`, 'calls/req', secrets / times));
    };

    await measureCalls('signup', 201, () =>
      call('POST', '/auth/signup', { email: newEmail(), password, tokenDelivery: 'body' }),
    );
    await measureCalls('login', 200, login);
    await measureCalls('login wrong password', 401, () =>
      call('POST', '/auth/login', { email, password: `${password}!` }),
    );
    await measureCalls('login unknown email', 401, () => call('POST', '/auth/login', { email: newEmail(), password }));
    await measureCalls('refresh', 200, async () => {
      const r = await call('POST', '/auth/refresh', { refreshToken: session.refreshToken });
      if (r.status === 200) session = r.json;
      return r;
    });
    await measureCalls('GET /auth/me (authorizer + me)', 200, () =>
      call('GET', '/auth/me', undefined, { authorization: `Bearer ${session.accessToken}` }),
    );
    // Sessions to end, made before counting starts.
    const toEnd: string[] = [];
    for (let i = 0; i < 6; i++) toEnd.push((await login()).json.refreshToken);
    await measureCalls('logout', 204, () => call('POST', '/auth/logout', { refreshToken: toEnd.pop() }));
    await measureCalls('jwks', 200, () => call('GET', '/.well-known/jwks.json'));
    await measureCalls('openid-configuration', 200, () => call('GET', '/.well-known/openid-configuration'));
    await measureCalls(
      'logout-all (a user with 1 session)',
      204,
      async () => {
        const fresh = (await call('POST', '/auth/signup', { email: newEmail(), password, tokenDelivery: 'body' })).json
          .accessToken as string;
        counts.clear();
        roundTrips = 0;
        return call('POST', '/auth/logout-all', undefined, { authorization: `Bearer ${fresh}` });
      },
      1,
    );
    // Second factors: an account with a confirmed authenticator.
    const mfaUser = { email: newEmail(), password, tokenDelivery: 'body' };
    const mfaAccess = (await call('POST', '/auth/signup', mfaUser)).json.accessToken as string;
    const mfaAuth = { authorization: `Bearer ${mfaAccess}` };
    const enrol = (await call('POST', '/auth/mfa/totp', undefined, mfaAuth)).json as {
      factorId: string;
      secret: string;
    };
    const key = decodeBase32IgnorePadding(enrol.secret);
    const code = totpCode(key, totpStep(Date.now() / 1000));
    const confirmed = await call('POST', '/auth/mfa/totp/verify', { factorId: enrol.factorId, code }, mfaAuth);
    const recoveryCodes = [...(confirmed.json.recoveryCodes as string[])];
    const mfaLogin = () => call('POST', '/auth/login', mfaUser);
    await measureCalls('login ending in mfa_required', 401, mfaLogin);
    // Recovery codes, one per request: a TOTP step is accepted once, and the two paths cost the same calls (one
    // conditional update each).
    const pending: string[] = [];
    for (let i = 0; i < 6; i++) pending.push((await mfaLogin()).json.mfaToken as string);
    await measureCalls('POST /auth/mfa/verify', 200, () =>
      call('POST', '/auth/mfa/verify', { mfaToken: pending.pop(), method: 'recovery_code', code: recoveryCodes.pop() }),
    );
    await measurePasskeyCalls({ call, measureCalls, newEmail, password, origin: `http://localhost:${backend.port}` });
    figures.push(exact('Secrets Manager requests on the wire during the whole run', 'requests', secretsOnTheWire));

    // --- load ------------------------------------------------------------------------------------------
    const load = async (name: string, path: string, opts: Partial<autocannon.Options>) => {
      progress(`load: ${name} for ${options.seconds} s`);
      const result = await autocannon({
        url: base + path,
        duration: options.seconds,
        connections: options.connections,
        ...opts,
      });
      const ok = result['2xx'];
      // autocannon records latency in whole milliseconds; with a fixed number of connections and no think time,
      // connections ÷ throughput is the mean latency at finer resolution.
      figures.push(
        exact(
          `load ${name} mean (connections / throughput)`,
          'ms',
          (options.connections * 1000 * options.seconds) / Math.max(1, ok),
        ),
      );
      figures.push(exact(`load ${name} p50`, 'ms', result.latency.p50));
      figures.push(exact(`load ${name} p99`, 'ms', result.latency.p99));
      figures.push(exact(`load ${name} throughput`, 'req/s', ok / options.seconds));
      figures.push(exact(`load ${name} non-2xx`, 'responses', result.non2xx + result.errors));
    };
    await load('POST /auth/login', '/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, tokenDelivery: 'body' }),
    });
    // A refresh token is single use: each request takes a token from the pool and its answer puts the successor
    // back (autocannon resets per-request context, so the pool is shared; one token per connection in flight).
    const pool: string[] = [];
    for (let i = 0; i < options.connections; i++) pool.push((await login()).json.refreshToken);
    await load('POST /auth/refresh', '/auth/refresh', {
      requests: [
        {
          method: 'POST',
          path: '/auth/refresh',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ refreshToken: pool.shift() }) }),
          onResponse: (status: number, body: string) => {
            if (status === 200) pool.push(JSON.parse(body).refreshToken);
          },
        },
      ],
    });
    const token = (await login()).json.accessToken as string;
    await load('GET /auth/me (authorizer uncached)', '/auth/me', {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    });
  } finally {
    await backend.close();
    sm.server.close();
  }
  return figures;
}

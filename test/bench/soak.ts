/**
 * The soak (S83, `npm run bench -- --only=soak`, ~5 minutes; `--quick` ~30 s): the local runner behind the
 * fault-injecting proxies of test/resilience/fault-proxy.ts, 2 % of every DynamoDB, Secrets Manager and SES call
 * faulted (throttling, 5xx, hangs, dropped connections, lost answers), and a steady number of clients each
 * looping over sign-up, login, refresh, `/auth/me`, magic links and (every fourth client) TOTP enrolment and
 * sign-in with a second factor. Reports p50/p99 per route, the answers' mix, each function's heap growth and
 * the runner process's memory growth, and the invariants: no `500`, no refresh family with two live tokens, no
 * email link redeemed twice. Exits non-zero when an invariant breaks.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startSecretsManagerStandIn } from '../../infra/local/aws/secrets-manager.js';
import { startLocal, type LocalBackend } from '../../infra/local/start.js';
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import { createRing, toJwks } from '../../shared/domain/key-ring.js';
import { startFaultProxy, type FaultProxy } from '../resilience/fault-proxy.js';
import { enrolTotp, loginWithTotp, nextStep, type Answer, type TotpAccount } from './soak-mfa.js';
import { exact, progress, type Figure } from './stats.js';

const COOKIE = '__Secure-refresh_token';
const password = () => `soak horse ${randomBytes(6).toString('hex')} battery`;

export async function benchSoak(options: {
  seconds: number;
  concurrency: number;
  faultRate: number;
}): Promise<Figure[]> {
  const sm = await startSecretsManagerStandIn({ permissionsOf: () => [{ actions: ['*'], resources: ['*'] }] });
  const ring = await createRing('ES256', new Date());
  sm.seed({ name: 'soak-ring', value: JSON.stringify(ring) });
  sm.seed({ name: 'soak-jwks', value: JSON.stringify(toJwks(ring)) });
  const proxies: FaultProxy[] = [await startFaultProxy({ target: sm.endpoint, protocol: 'secrets-manager' })];
  const dataDir = await mkdtemp(join(tmpdir(), 'auth-soak-'));
  const backend: LocalBackend = await startLocal({
    port: 0,
    dataDir,
    tablePrefix: 'soak-',
    warm: true,
    secretsManager: { endpoint: proxies[0].endpoint, keyRingSecretId: 'soak-ring', publicKeysSecretId: 'soak-jwks' },
    interpose: async (service, target) => {
      const proxy = await startFaultProxy({ target, protocol: service === 'dynamodb' ? 'dynamodb' : 'ses' });
      proxies.push(proxy);
      return proxy.endpoint;
    },
    functionOutput: () => undefined,
    env: {
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      LOCAL_SDK_TIMEOUT_SCALE: '1',
      SIGNUP_MAX_PER_IP: '100000',
      MAIL_MAX_PER_IP: '100000',
      LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
      AUTHORIZER_CACHE_SECONDS: '0',
      // Some Secrets Manager traffic too: the ring is read again every 5 s per function.
      KEY_RING_CACHE_SECONDS: '5',
    },
  });
  const { dynamoEndpoint } = JSON.parse(await readFile(join(dataDir, 'local-runtime.json'), 'utf8')) as {
    dynamoEndpoint: string;
  };

  const latencies = new Map<string, number[]>();
  const mix = new Map<string, number>();
  let redeemedTwice = 0;
  const call = async (
    route: string,
    method: string,
    path: string,
    opts: { json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const t0 = performance.now();
    const res = await fetch(backend.url + path, {
      method,
      headers: { ...(opts.json === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
      signal: AbortSignal.timeout(15_000),
    }).catch(() => undefined);
    const ms = performance.now() - t0;
    const status = res?.status ?? 0;
    const text = res ? await res.text() : '';
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    (latencies.get(route) ?? latencies.set(route, []).get(route)!).push(ms);
    const key = `${route} ${status}${status >= 400 && body?.error ? ` ${body.error}` : ''}`;
    mix.set(key, (mix.get(key) ?? 0) + 1);
    const cookie = res?.headers
      .getSetCookie()
      .map((l) => l.split(';')[0])
      .find((p) => p.startsWith(`${COOKIE}=`) && p.length > COOKIE.length + 1);
    return { status, body, cookie: cookie?.slice(COOKIE.length + 1) };
  };

  const linkFor = async (email: string): Promise<string | undefined> => {
    for (let i = 0; i < 40; i++) {
      const mail = backend.mail
        .mails()
        .filter((m) => m.to === email && /sign/i.test(m.subject))
        .at(-1);
      const link = mail?.text.match(/https?:\/\/\S+/)?.[0];
      if (link) return new URL(link).searchParams.get('token') ?? undefined;
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  };

  /**
   * One client: its own account, refreshing the session it holds, and the other flows around it. Every fourth
   * client enrols TOTP once signed in, and signs in with it from then on.
   */
  const client = async (deadline: number, index: number) => {
    const email = `soak.${randomBytes(6).toString('hex')}@example.com`;
    const pw = password();
    let access: string | undefined;
    let refresh: string | undefined;
    let totp: TotpAccount | undefined;
    while (Date.now() < deadline) {
      const roll = Math.random();
      if (index % 4 === 0 && access && !totp) {
        const enrolled = await enrolTotp(call, access);
        if (enrolled) [totp, access, refresh] = [enrolled.account, enrolled.access, enrolled.refresh ?? refresh];
        continue;
      }
      if (totp && roll >= 0.1 && roll < 0.3) {
        if (nextStep(totp) === undefined) continue; // this 30 s step is spent: do something else
        const session = await loginWithTotp(call, totp, { email, password: pw });
        if (session) [access, refresh] = [session.access, session.refresh ?? refresh];
        continue;
      }
      if (!access || !refresh || roll < 0.1) {
        const r = access
          ? await call('signup', 'POST', '/auth/signup', {
              json: { email: `soak.${randomBytes(6).toString('hex')}@example.com`, password: password() },
            })
          : await call('signup', 'POST', '/auth/signup', { json: { email, password: pw } });
        if (!access && r.status === 201) [access, refresh] = [r.body.accessToken, r.cookie];
        if (!access && r.status === 409) access = ''; // created by an attempt whose answer was a 503: log in
        if (access === '') {
          const l = await call('login', 'POST', '/auth/login', { json: { email, password: pw } });
          if (l.status === 200) [access, refresh] = [l.body.accessToken, l.cookie];
          else access = undefined;
        }
      } else if (roll < 0.3) {
        const l = await call('login', 'POST', '/auth/login', { json: { email, password: pw } });
        if (l.status === 200) [access, refresh] = [l.body.accessToken, l.cookie];
      } else if (roll < 0.6) {
        const r = await call('refresh', 'POST', '/auth/refresh', { headers: { cookie: `${COOKIE}=${refresh}` } });
        if (r.status === 200) [access, refresh] = [r.body.accessToken, r.cookie];
        else if (r.status === 401) refresh = undefined; // the session ended (a lost answer made a retry a reuse)
      } else if (roll < 0.9) {
        await call('me', 'GET', '/auth/me', { headers: { authorization: `Bearer ${access}` } });
      } else {
        // A new address each time (magic links sign up too): a link is the first proof of an address, which
        // removes the password set before it (S52), so this client's own account is never used here.
        const linkEmail = `soak.link.${randomBytes(6).toString('hex')}@example.com`;
        const asked = await call('magic-link', 'POST', '/auth/magic-link', { json: { email: linkEmail } });
        const token = asked.status === 202 ? await linkFor(linkEmail) : undefined;
        if (!token) continue;
        let wins = 0;
        // Two tabs redeem the same link, each retrying a 503 twice: at most one may win.
        await Promise.all(
          [0, 1].map(async () => {
            for (let i = 0; i < 3; i++) {
              const r = await call('magic-link-verify', 'POST', '/auth/magic-link/verify', { json: { token } });
              if (r.status === 200) wins += 1;
              if (r.status !== 503) break;
            }
          }),
        );
        if (wins > 1) redeemedTwice += 1;
      }
    }
  };

  const rssBefore = process.memoryUsage().rss;
  for (const p of proxies)
    p.inject({
      kind: ['throttle', 'server-error', 'latency', 'drop-before', 'drop-after'],
      rate: options.faultRate,
      latencyMs: 2_500,
    });
  progress(`soak: ${options.concurrency} clients for ${options.seconds} s, ${options.faultRate * 100} % faults`);
  const deadline = Date.now() + options.seconds * 1000;
  // Each function's own heap (its worker thread: one Lambda environment), sampled every second; the growth is
  // the lowest of the last tenth of the samples minus the lowest of the first tenth (after the warm-up), so a
  // garbage collection that happened to be pending does not count as growth.
  const heaps = new Map<string, number[]>();
  const sampler = setInterval(() => {
    for (const [fn, bytes] of Object.entries(backend.functionHeaps()))
      (heaps.get(fn) ?? heaps.set(fn, []).get(fn)!).push(bytes);
  }, 1_000);
  // The same after a full garbage collection in each function, once a tenth of the way in (warm) and once at the
  // end: growth that survives a collection is memory the function holds, not garbage not yet collected.
  let collectedBefore: Record<string, number> = {};
  const baseline = setTimeout(
    () => void backend.functionHeapsCollected().then((h) => (collectedBefore = h)),
    options.seconds * 100,
  );
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => client(deadline, i)));
  clearInterval(sampler);
  clearTimeout(baseline);
  const collectedAfter = await backend.functionHeapsCollected();
  for (const p of proxies) p.inject(undefined);
  const rssAfter = process.memoryUsage().rss;
  const injected = proxies.reduce((n, p) => n + Object.values(p.stats.injected).reduce((a, b) => a + b, 0), 0);

  // Forked families: two live (active) tokens in one family, read straight from DynamoDB Local.
  const doc = createDocumentClient({ endpoint: dynamoEndpoint });
  const active = new Map<string, number>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: backend.tables.REFRESH_TOKENS_TABLE,
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      if (String(item.pk).startsWith('T#') && item.status === 'active')
        active.set(String(item.familyId), (active.get(String(item.familyId)) ?? 0) + 1);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const forked = [...active.values()].filter((n) => n > 1).length;
  const fiveHundreds = [...mix].filter(([k]) => / 500( |$)/.test(k)).reduce((n, [, c]) => n + c, 0);
  const noAnswer = [...mix].filter(([k]) => / 0$/.test(k)).reduce((n, [, c]) => n + c, 0);

  await backend.close();
  for (const p of proxies) await p.close();
  await sm.close();

  const pct = (values: number[], q: number) => {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  };
  const figures: Figure[] = [];
  for (const [route, ms] of latencies) {
    figures.push(exact(`soak ${route} p50`, 'ms', pct(ms, 0.5)), exact(`soak ${route} p99`, 'ms', pct(ms, 0.99)));
  }
  for (const [answer, n] of [...mix].sort()) figures.push(exact(`soak answers: ${answer}`, 'requests', n));
  figures.push(
    exact('soak faults injected', 'calls', injected),
    exact('soak 500 answers', 'requests', fiveHundreds),
    exact('soak requests without an answer (hangs)', 'requests', noAnswer),
    exact('soak forked families', 'families', forked),
    exact('soak links redeemed twice', 'links', redeemedTwice),
    // The local runner's process: every function's worker thread, the gateway, the proxies and the stand-ins.
    exact('soak runner RSS growth', 'MB', (rssAfter - rssBefore) / 2 ** 20),
  );
  for (const [fn, samples] of [...heaps].sort()) {
    if (samples.length < 10) continue;
    const tenth = Math.max(1, Math.floor(samples.length / 10));
    const low = (s: number[]) => Math.min(...s) / 2 ** 20;
    figures.push(
      exact(`soak ${fn} heap`, 'MB', low(samples.slice(-tenth))),
      exact(`soak ${fn} heap growth`, 'MB', low(samples.slice(-tenth)) - low(samples.slice(0, tenth))),
    );
    const [before, after] = [collectedBefore[fn], collectedAfter[fn]];
    if (before !== undefined && after !== undefined)
      figures.push(exact(`soak ${fn} heap growth after a full GC`, 'MB', (after - before) / 2 ** 20));
  }
  if (fiveHundreds || noAnswer || forked || redeemedTwice) {
    process.stderr.write(
      `soak: invariant broken — ${fiveHundreds} × 500, ${noAnswer} hangs, ${forked} forked, ${redeemedTwice} double\n`,
    );
    process.stdout.write(`FIGURES ${JSON.stringify(figures)}\n`);
    process.exit(1);
  }
  return figures;
}

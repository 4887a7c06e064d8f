import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startLocal, type LocalBackend, type LocalOptions } from '../../infra/local/start.js';
import { testFunctionOutput } from './capture-output.js';

/**
 * Starts the local runner (the same gateway `npm start` serves) on a free loopback port, against the
 * suite's DynamoDB Local with uniquely prefixed tables, so every test file has its own state. Each function
 * starts on its first request, as on Lambda; `warm` starts them all first, for a suite whose timing must not
 * include a cold start. The functions' log lines go to the running test's console, shown only when it fails.
 */
export async function startTestBackend(
  env: Record<string, string> = {},
  options: Pick<LocalOptions, 'devOidc' | 'warm' | 'specs' | 'mtls' | 'appRoutes'> = {},
): Promise<LocalBackend> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: the vitest globalSetup starts DynamoDB Local');
  return startLocal({
    port: 0,
    devOidc: options.devOidc,
    warm: options.warm,
    specs: options.specs,
    mtls: options.mtls,
    appRoutes: options.appRoutes,
    dynamoEndpoint: endpoint,
    dataDir: await mkdtemp(join(tmpdir(), 'auth-e2e-')),
    tablePrefix: `e2e-${randomBytes(4).toString('hex')}-`,
    functionOutput: testFunctionOutput,
    // Suites sign up many accounts from 127.0.0.1; the per-IP sign-up limit (S55) is tested with its own value.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN', SIGNUP_MAX_PER_IP: '100000', ...env },
  });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** Raw Set-Cookie lines. */
  cookies: string[];
}

/** A tiny HTTP client for the suites: JSON in, JSON out, cookies visible. */
export function api(base: string) {
  return async function call<T = any>(
    method: string,
    path: string,
    options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(base + path, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed as T, cookies: res.headers.getSetCookie() };
  };
}

/** The value of a cookie from Set-Cookie lines. */
export function cookieValue(setCookies: string[], name: string): string | undefined {
  for (const line of setCookies) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq) === name) return pair.slice(eq + 1);
  }
  return undefined;
}

export const REFRESH_COOKIE = '__Secure-refresh_token';

let counter = 0;
/** A unique address per call, so tests never collide on accounts or rate limits. */
export const uniqueEmail = (tag = 'user') =>
  `${tag}.${Date.now().toString(36)}.${counter++}.${randomBytes(3).toString('hex')}@example.com`;

/** A password that passes the default policy (≥ 15 characters, not common). */
export const goodPassword = () => `correct horse ${randomBytes(6).toString('hex')} staple`;

/** A mail from the dev outbox (`GET /_dev/outbox`). */
export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** The outbox's mails to `to`, newest last; with the token and code of the newest one pulled out. */
export async function mailsTo(base: string, to: string) {
  const res = await fetch(`${base}/_dev/outbox`);
  const all = (await res.json()) as OutboxMail[];
  const mine = all.filter((m) => m.to === to);
  const last = mine.at(-1);
  const link = last?.text.match(/https?:\/\/\S+/)?.[0];
  return {
    mails: mine,
    last,
    link,
    token: link ? (new URL(link).searchParams.get('token') ?? undefined) : undefined,
    code: last?.text.match(/code: (\d{6,8})/)?.[1],
  };
}

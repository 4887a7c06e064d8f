/**
 * S57 over HTTP against the local runner with REFRESH_REUSE_GRACE_SECONDS=10: a browser that fires 8 refreshes of
 * one cookie at once (tabs, retries) is served every time, and the family is left with one live token — never 8
 * independent sessions. The count is read from DynamoDB Local, where the runner keeps its tokens.
 */
import { createHash } from 'node:crypto';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { createDocumentClient } from '../../shared/adapters/dynamo/client.js';
import {
  api,
  cookieValue,
  goodPassword,
  REFRESH_COOKIE,
  startTestBackend,
  uniqueEmail,
} from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  backend = await startTestBackend({ REFRESH_REUSE_GRACE_SECONDS: '10' });
  call = api(backend.url);
});
afterAll(() => backend?.close());

const hash = (raw: string) => createHash('sha256').update(raw, 'utf8').digest('hex');

/** The tokens of `familyId` that would still refresh, straight from the runner's table. */
async function liveTokens(familyId: string): Promise<string[]> {
  const doc = createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT! });
  const live: string[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName: backend.tables.REFRESH_TOKENS_TABLE })) {
    for (const item of page.Items ?? [])
      if (item['familyId'] === familyId && item['status'] === 'active') live.push(String(item['tokenHash']));
  }
  return live;
}

async function familyOf(raw: string): Promise<string> {
  const doc = createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT! });
  for await (const page of paginateScan({ client: doc }, { TableName: backend.tables.REFRESH_TOKENS_TABLE })) {
    const item = (page.Items ?? []).find((i) => i['tokenHash'] === hash(raw));
    if (item) return String(item['familyId']);
  }
  throw new Error('token not stored');
}

describe('Refresh with a reuse grace (e2e)', () => {
  it('S57: 8 parallel refreshes of one cookie are all served and leave exactly one live successor in the family', async () => {
    // Prepare
    const signup = await call('POST', '/auth/signup', {
      json: { email: uniqueEmail('grace'), password: goodPassword() },
    });
    const cookie = cookieValue(signup.cookies, REFRESH_COOKIE)!;
    const familyId = await familyOf(cookie);

    // Act
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${cookie}` } }),
      ),
    );

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const handedOut = results.map((r) => cookieValue(r.cookies, REFRESH_COOKIE)!);
    expect(new Set(handedOut).size).toBe(8);
    const live = await liveTokens(familyId);
    expect(live).toHaveLength(1);
    expect(handedOut.map(hash)).toContain(live[0]);
  });

  it('S57: whichever answer the cookie jar kept, the session goes on, still with one live token', async () => {
    // Prepare: 8 parallel refreshes; a jar keeps whichever Set-Cookie it processed last, not necessarily the live one
    const signup = await call('POST', '/auth/signup', {
      json: { email: uniqueEmail('grace'), password: goodPassword() },
    });
    const cookie = cookieValue(signup.cookies, REFRESH_COOKIE)!;
    const familyId = await familyOf(cookie);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${cookie}` } }),
      ),
    );
    const live = (await liveTokens(familyId))[0];
    const kept = results.map((r) => cookieValue(r.cookies, REFRESH_COOKIE)!).find((t) => hash(t) !== live)!;

    // Act
    const next = await call('POST', '/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${kept}` } });
    const onward = await call('POST', '/auth/refresh', {
      headers: { cookie: `${REFRESH_COOKIE}=${cookieValue(next.cookies, REFRESH_COOKIE)}` },
    });

    // Assess
    expect(next.status).toBe(200);
    expect(onward.status).toBe(200);
    expect(await liveTokens(familyId)).toEqual([hash(cookieValue(onward.cookies, REFRESH_COOKIE)!)]);
  });
});

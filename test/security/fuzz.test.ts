/**
 * Property-based fuzzing (fast-check) of every JSON endpoint over HTTP against the local runner: arbitrary
 * JSON shapes, sizes, Unicode and prototype-pollution keys. Invariant: a 2xx, or a 4xx with a stable
 * `{error, message}` code — never a 5xx, never a stack, never a privilege the input asked for.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { ERROR_STATUS } from '../../shared/domain/errors.js';
import { api, startTestBackend } from '../helpers/local-backend.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  backend = await startTestBackend({ LOGIN_MAX_ATTEMPTS_PER_IP: '100000', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000' });
  call = api(backend.url);
});
afterAll(() => backend?.close());

const CODES = new Set(Object.keys(ERROR_STATUS));
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  '$ne',
  '$gt',
  'roles',
  'emailVerified',
  'passwordHash',
  'id',
);
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(null, true, 0, -1, 1e308, '', ' ', '\u0000', '\r\n', 'a@b.c', { $ne: null }, ['x'], 'A'.repeat(5000)),
);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ email: anyValue, password: anyValue }, { requiredKeys: [] }),
  fc.dictionary(fc.oneof(hostileKey, fc.string({ maxLength: 12 })), anyValue, { maxKeys: 6 }),
  fc.record({
    email: fc.emailAddress(),
    password: fc.string({ unit: 'grapheme', minLength: 0, maxLength: 80 }),
    roles: fc.constant(['admin']),
  }),
  fc.record({ refreshToken: anyValue, tokenDelivery: anyValue }, { requiredKeys: [] }),
);

async function check(path: string, payload: unknown, raw = false) {
  const res = raw
    ? await call('POST', path, { body: payload as string, headers: { 'content-type': 'application/json' } })
    : await call('POST', path, { json: payload });
  expect(res.status, `${path} ${JSON.stringify(payload)?.slice(0, 200)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(CODES.has(res.body?.error), `unstable code ${JSON.stringify(res.body)}`).toBe(true);
    expect(typeof res.body.message).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  }
  if (res.status === 201 || res.status === 200) {
    // Whatever the body asked for, a new account only ever gets the default role.
    if (typeof res.body?.accessToken === 'string' && path === '/auth/signup') {
      const claims = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
      expect(claims.roles).toEqual(['user']);
    }
  }
}

describe('Fuzzing', () => {
  for (const path of ['/auth/signup', '/auth/login', '/auth/refresh', '/auth/logout']) {
    it(`S46/S47: ${path} answers arbitrary JSON bodies with a 2xx or a stable 4xx, never a 5xx`, async () => {
      await fc.assert(
        fc.asyncProperty(body, (payload) => check(path, payload)),
        { numRuns: 60 },
      );
    });
  }

  it('S46/S47: arbitrary raw bytes as a JSON body are a stable 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), (text) => check('/auth/login', text, true)),
      { numRuns: 60 },
    );
  });
});

/** S4: the per-IP counter uses API Gateway's source IP, never X-Forwarded-For. (Own file: one backend per process.) */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { api, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';

let backend: LocalBackend;

beforeAll(async () => {
  backend = await startTestBackend({ LOGIN_MAX_ATTEMPTS_PER_IP: '3', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000' });
});
afterAll(() => backend?.close());

describe('Per-IP login limit', () => {
  it('S4: a spoofed X-Forwarded-For does not move attempts to another bucket', async () => {
    const call = api(backend.url);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/auth/login', {
        json: { email: uniqueEmail(), password: 'wrong password, long enough' },
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});

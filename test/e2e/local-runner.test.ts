/**
 * The local runner as a developer meets it: an exported KEY_RING_FILE is the ring it signs with, and a backend
 * that has just started verifies a valid token at once (the authorizer and the JWKS are up before it answers).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { api, goodPassword, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';

let backend: LocalBackend;
let ringFile: string;

beforeAll(async () => {
  ringFile = join(await mkdtemp(join(tmpdir(), 'auth-ring-')), 'my-ring.json');
  backend = await startTestBackend({ KEY_RING_FILE: ringFile });
});
afterAll(() => backend?.close());

describe('Local runner', () => {
  it('signs with the exported KEY_RING_FILE, and a fresh backend accepts its token at once', async () => {
    const call = api(backend.url);
    const signup = await call('POST', '/auth/signup', {
      json: { email: uniqueEmail('ring'), password: goodPassword() },
    });
    expect(signup.status).toBe(201);
    expect(existsSync(ringFile)).toBe(true);
    const kid = JSON.parse(Buffer.from(String(signup.body.accessToken).split('.')[0], 'base64url').toString()).kid;
    const ring = JSON.parse(readFileSync(ringFile, 'utf8')) as { keys: { kid: string; status: string }[] };
    expect(ring.keys.find((k) => k.kid === kid)?.status).toBe('current');
    const me = await call('GET', '/auth/me', { headers: { authorization: `Bearer ${signup.body.accessToken}` } });
    expect(me.status).toBe(200);
  });

  it('gives every function that signs or serves keys the same ring file, and no other function any', () => {
    expect(backend.environments.login.KEY_RING_FILE).toBe(ringFile);
    expect(backend.environments.jwks.KEY_RING_FILE).toBe(ringFile);
    expect(backend.environments.logout).not.toHaveProperty('KEY_RING_FILE');
  });
});

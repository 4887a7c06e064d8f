import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { startTestBackend } from '../helpers/local-backend.js';
import { blocks } from './markdown.js';

const run = promisify(execFile);

/** The block of functions/README.md marked `<!-- test: name -->`, exactly as a reader would paste it. */
function walkthrough(name: string): string {
  const found = blocks('functions/README.md').filter((b) => b.test === name);
  expect(found, `one block marked test: ${name}`).toHaveLength(1);
  expect(found[0].lang).toBe('sh');
  return found[0].code;
}

describe('the curl walkthroughs of functions/README.md run as written', () => {
  let backend: LocalBackend;
  let dir: string;

  beforeAll(async () => {
    backend = await startTestBackend();
    dir = await mkdtemp(join(tmpdir(), 'walkthrough-'));
  });
  afterAll(async () => {
    await backend?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs a block in bash in a fresh directory (its cookie jar lands there), against the test backend. */
  async function sh(code: string): Promise<string[]> {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', code], {
      cwd: dir,
      env: { ...process.env, BASE: backend.url },
      timeout: 150_000,
    });
    return stdout.trim().split('\n');
  }

  it('password: sign up, log in, /auth/me with and without the token, refresh from the jar, log out (S53: an unproven address reads emailVerified false)', async () => {
    const out = await sh(walkthrough('walkthrough-password'));
    expect(out).toHaveLength(6);
    const [signup, me, meAnonymous, refresh, logout, logoutAll] = out;
    expect(signup).toMatch(/^\{"accessToken":"ey[^"]+","tokenType":"Bearer","expiresIn":900\} 201$/);
    const identity = JSON.parse(me.replace(/ 200$/, '')) as Record<string, unknown>;
    expect(me).toMatch(/ 200$/);
    expect(identity).toMatchObject({ email: 'alice@example.com', emailVerified: false, roles: ['user'], amr: ['pwd'] });
    expect(meAnonymous).toMatch(/ 401$/);
    expect(refresh).toMatch(/"tokenType":"Bearer".* 200$/);
    expect(logout).toBe('logout 204');
    expect(logoutAll).toBe('logout-all 204');
    // Each function pays its cold start on first use, as on Lambda: slow on two shared cores.
  }, 180_000);

  it('email: link once, code on another device, verification and password reset, reading each mail from the outbox (S30: a link works once)', async () => {
    const out = await sh(walkthrough('walkthrough-email'));
    expect(out).toEqual([
      expect.stringMatching(/^\{"message":"If this address can receive mail.*\} 202$/),
      expect.stringMatching(/^\{"accessToken":"ey[^"]+".* 200$/),
      expect.stringMatching(/"error":"invalid_token".* 401$/),
      '202',
      expect.stringMatching(/^\{"accessToken":"ey[^"]+".* 200$/),
      'signup 201',
      '{"emailVerified":true} 200',
      'reset 202',
      'confirm 204',
      'login 200',
    ]);
  }, 180_000);
});

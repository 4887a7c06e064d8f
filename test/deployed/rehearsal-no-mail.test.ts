/**
 * S82 on the default app's `cdk.out` (no `mailFrom`, no OAuth provider): what `npx cdk synth` writes for a plain
 * deployment. The first signup after "deploy" succeeds (the key ring exists before deploy finishes), the mail routes
 * answer a clean 503, and no bundle crashes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { readStack } from './assembly.js';
import { client } from './client.js';
import { ASSEMBLY_DIR, DEFAULT_STACK } from './paths.js';
import { startRehearsal, type Rehearsal } from './rehearsal.js';

const PASSWORD = 'correct horse battery staple 42';

describe('S82: the synthesized bundles of a stack without mailFrom, run as Lambda runs them', () => {
  let r: Rehearsal;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    r = await startRehearsal({ stack: readStack(ASSEMBLY_DIR, DEFAULT_STACK), dynamoEndpoint: inject('dynamoEndpoint') });
    call = client(r.url);
    await r.deploy();
  });

  afterAll(async () => {
    const problems = r?.problems() ?? [];
    if (problems.length) console.error(`[rehearsal ${DEFAULT_STACK}] problems:\n${JSON.stringify(problems, null, 2)}`);
    await r?.close();
  });

  it('the first signup after deploy succeeds: 201 with a token and the refresh cookie', async () => {
    const a = await call('POST', '/auth/signup', { json: { email: 'first@example.com', password: PASSWORD } });
    expect(a.status, a.text).toBe(201);
    expect(a.json).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(a.setCookie.join('\n')).toMatch(/^__Secure-refresh_token=[^;]+;.*HttpOnly/m);
  });
});

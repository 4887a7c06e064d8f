/**
 * S82 on the default app's `cdk.out` (no `mailFrom`, no OAuth provider): what `npx cdk synth` writes for a plain
 * deployment. The first signup after "deploy" succeeds (the key ring exists before deploy finishes), the mail routes
 * answer a clean 503, and no bundle crashes.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseRing } from '../../shared/domain/key-ring.js';
import { readStack } from './assembly.js';
import { client } from './client.js';
import { ASSEMBLY_DIR, DEFAULT_STACK } from './paths.js';
import { startRehearsal, type Rehearsal } from './rehearsal.js';

const PASSWORD = 'correct horse battery staple 42';

describe('S82: the synthesized bundles of a stack without mailFrom, run as Lambda runs them', () => {
  let r: Rehearsal;
  let call: ReturnType<typeof client>;
  let user: { email: string; access: string; refresh: string; sub: string };
  let deployed: Awaited<ReturnType<Rehearsal['deploy']>>;

  beforeAll(async () => {
    r = await startRehearsal({
      stack: readStack(ASSEMBLY_DIR, DEFAULT_STACK),
      dynamoEndpoint: inject('dynamoEndpoint'),
    });
    call = client(r.url);
    deployed = await r.deploy();
    await r.warm();
  });

  afterAll(async () => {
    const problems = r?.problems() ?? [];
    if (problems.length) console.error(`[rehearsal ${DEFAULT_STACK}] problems:\n${JSON.stringify(problems, null, 2)}`);
    await r?.close();
  });

  it('deploy finishes with a key ring: the KeyRingBootstrap custom resource (bootstrap-keys bundle, Create event) waited for the rotation', async () => {
    // CloudFormation itself starts no rotation (the template says so); the custom resource's is the first.
    expect(r.stack.secrets.find((s) => s.rotation)?.rotation?.rotateImmediatelyOnUpdate).toBe(false);
    expect(Object.values(deployed.customResources)).toEqual([
      { PhysicalResourceId: 'signing-key-ring', Data: { CurrentVersionId: expect.any(String) } },
    ]);
    // Before any request: AWSCURRENT already holds a ring, and the rotation ran exactly once.
    const current = await r.operatorSecrets.send(
      new GetSecretValueCommand({ SecretId: r.secretArn('KeyRing'), VersionStage: 'AWSCURRENT' }),
    );
    expect(parseRing(current.SecretString)?.keys).toHaveLength(2);
    expect(await r.secretsManager.settled()).toEqual([
      { secretArn: r.secretArn('KeyRing'), versionId: current.VersionId },
    ]);
  });

  it('the first signup after deploy succeeds: 201 with a token and the refresh cookie', async () => {
    const a = await call('POST', '/auth/signup', { json: { email: 'first@example.com', password: PASSWORD } });
    expect(a.status, a.text).toBe(201);
    expect(a.json).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(a.setCookie.join('\n')).toMatch(/^__Secure-refresh_token=[^;]+;.*HttpOnly/m);
    user = {
      email: 'first@example.com',
      access: a.json.accessToken,
      refresh: a.cookies['__Secure-refresh_token'],
      sub: decodeJwt(a.json.accessToken).sub!,
    };
  });

  it('the mail routes answer a clean 503 mail_unavailable where the flow says so, the others their usual answer', async () => {
    const link = await call('POST', '/auth/magic-link', { json: { email: user.email } });
    expect([link.status, link.json?.error]).toEqual([503, 'mail_unavailable']);
    // Same answer for every address (S29): the reset mail's failure is logged, not revealed.
    expect((await call('POST', '/auth/password-reset', { json: { email: user.email } })).status).toBe(202);
    // Signing up still works without mail: the verification mail's failure is logged.
    expect(
      (await call('POST', '/auth/signup', { json: { email: 'second@example.com', password: PASSWORD } })).status,
    ).toBe(201);
  });

  it('every other route answers as it does with mail, and no bundle crashes', async () => {
    const expected: [string, string, number, object?][] = [
      ['POST', '/auth/login', 200, { json: { email: user.email, password: PASSWORD } }],
      ['POST', '/auth/refresh', 200, { cookie: `__Secure-refresh_token=${user.refresh}` }],
      ['GET', '/auth/me', 200, { bearer: user.access }],
      ['GET', '/.well-known/jwks.json', 200],
      ['GET', '/.well-known/openid-configuration', 200],
      ['GET', '/auth/magic-link/verify?token=ml_x', 200],
      ['POST', '/auth/magic-link/verify', 401, { json: { token: 'ml_unknown' } }],
      ['GET', '/auth/verify-email?token=ve_x', 200],
      ['POST', '/auth/verify-email', 401, { json: { token: 've_unknown' } }],
      ['GET', '/auth/password-reset/confirm?token=pr_x', 200],
      ['POST', '/auth/password-reset/confirm', 401, { json: { token: 'pr_unknown', newPassword: PASSWORD } }],
      // No provider configured: every provider name is unknown.
      ['GET', '/auth/oauth/dev/authorize?redirectTo=https%3A%2F%2Fapp.example.com', 404],
      ['GET', '/auth/oauth/dev/callback?code=x&state=y', 404],
      ['GET', `/admin/users/${user.sub}`, 403, { bearer: user.access }],
      ['PUT', `/admin/users/${user.sub}/roles`, 403, { bearer: user.access, json: { roles: ['user'] } }],
      ['POST', `/admin/users/${user.sub}/revoke-sessions`, 403, { bearer: user.access }],
      ['POST', `/admin/users/${user.sub}/disable`, 403, { bearer: user.access }],
      ['GET', '/auth/logout', 405],
      ['POST', '/auth/logout-all', 204, { bearer: user.access }],
      ['POST', '/auth/logout', 204, { cookie: `__Secure-refresh_token=${user.refresh}` }],
    ];
    const got = [];
    for (const [method, path, , options] of expected) got.push((await call(method, path, options)).status);
    expect(got).toEqual(expected.map((e) => e[2]));
    // Second factors need no mail: each route answers with a clean client status (none of them crashes).
    const mfa: [string, string, { bearer?: string; json?: unknown }][] = [
      ['POST', '/auth/mfa/totp', { bearer: user.access }],
      ['GET', '/auth/mfa', { bearer: user.access }],
      ['POST', '/auth/mfa/totp/verify', { bearer: user.access, json: { factorId: 'unknown', code: '000000' } }],
      ['DELETE', '/auth/mfa/unknown', { bearer: user.access }],
      ['POST', '/auth/mfa/recovery-codes', { bearer: user.access }],
      ['POST', '/auth/mfa/verify', { json: { mfaToken: 'unknown', method: 'totp', code: '000000' } }],
      ['POST', '/auth/mfa/webauthn/options', { json: { mfaToken: 'unknown' } }],
      ['POST', '/auth/passkeys/register/options', { bearer: user.access }],
      ['POST', '/auth/passkeys/register/verify', { bearer: user.access, json: { response: {} } }],
      ['POST', '/auth/passkeys/authenticate/options', { json: {} }],
      ['POST', '/auth/passkeys/authenticate/verify', { json: { response: {} } }],
      ['GET', '/auth/passkeys', { bearer: user.access }],
      ['DELETE', '/auth/passkeys/unknown', { bearer: user.access }],
      ['POST', '/auth/api-keys', { bearer: user.access, json: { name: 'ci' } }],
      ['GET', '/auth/api-keys', { bearer: user.access }],
      ['DELETE', '/auth/api-keys/unknown', { bearer: user.access }],
    ];
    // Machine clients need no mail either: the token endpoint answers an unknown client with RFC 6749 §5.2.
    const token = await call('POST', '/oauth2/token', {
      body: 'grant_type=client_credentials&client_id=nobody&client_secret=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([token.status, token.json?.error]).toEqual([401, 'invalid_client']);
    for (const [method, path, options] of mfa) {
      const status = (await call(method, path, options)).status;
      expect(status >= 200 && status < 500, `${method} ${path} → ${status}`).toBe(true);
    }
    const reached = r.routesHit();
    // The admin routes are refused by the authorizer (403) before their function runs.
    const notReached = r.stack.routes.map((x) => x.routeKey).filter((k) => !reached.has(k) && !k.includes('/admin/'));
    expect(notReached).toEqual([]);
    expect(r.problems()).toEqual([]);
  });
});

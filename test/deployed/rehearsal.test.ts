/**
 * S82: every route of the template, on the bundles `cdk deploy` would upload, each run as Lambda runs it, against
 * DynamoDB Local with the template's tables and the Secrets Manager and SES v2 stand-ins; a stack with mail and a
 * social sign-in provider at a local OpenID provider (https, its certificate trusted through NODE_EXTRA_CA_CERTS,
 * as a deployed function trusts a public CA). Assertions are what a user observes: statuses, error codes, cookies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCode, totpStep } from '../../shared/domain/mfa/totp.js';
import { SoftAuthenticator } from '../helpers/webauthn.js';
import { parseRing } from '../../shared/domain/key-ring.js';
import { CookieJar, request, signInAtProvider } from '../helpers/oauth-flow.js';
import { readStack } from './assembly.js';
import { client, type Answer } from './client.js';
import { startHttpsDevOidc, type HttpsDevOidc } from './https-oidc.js';
import { ASSEMBLY_DIR, DEFAULT_STACK } from './paths.js';
import { startRehearsal, type Rehearsal } from './rehearsal.js';
import { ADMIN_EMAIL, APP_ORIGIN, MAIL_FROM, MAIL_STACK, OAUTH_CLIENT_ID, synthMailStack } from './synth.js';

const COOKIE = '__Secure-refresh_token';
const OAUTH_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:rehearsal/oauth/dev-client-Q1w2E3';
const OAUTH_CLIENT_SECRET = 'rehearsal-client-secret-0123456789abcdef';
let n = 0;
const email = (tag: string) => `${tag}-${Date.now().toString(36)}-${++n}@example.com`;
const password = () => `rehearsal passphrase ${Math.random().toString(36).slice(2)} ${++n}`;

describe('S82: the synthesized bundles (mail, social sign-in), run as Lambda runs them, through every route', () => {
  let r: Rehearsal;
  let call: ReturnType<typeof client>;
  let oidc: HttpsDevOidc;
  let outdir: string;
  /** Set by the admin test; the body checks of the admin routes sign in with it. */
  let adminPassword = '';

  const mailTo = (to: string) => {
    const last = r
      .mails()
      .filter((m) => m.to === to)
      .at(-1);
    const link = last?.text.match(/https?:\/\/\S+/)?.[0];
    return {
      last,
      link,
      token: link ? new URL(link).searchParams.get('token') : null,
      code: last?.text.match(/code: (\d{6,8})/)?.[1],
    };
  };
  const refreshCookie = (a: Answer) => a.cookies[COOKIE];
  const signUp = async (address = email('user'), pw = password()) => {
    const a = await call('POST', '/auth/signup', { json: { email: address, password: pw } });
    expect(a.status, a.text).toBe(201);
    return {
      email: address,
      password: pw,
      access: a.json.accessToken as string,
      refresh: refreshCookie(a),
      sub: decodeJwt(a.json.accessToken).sub!,
    };
  };
  const login = async (address: string, pw: string) => {
    const a = await call('POST', '/auth/login', { json: { email: address, password: pw } });
    expect(a.status, a.text).toBe(200);
    return { access: a.json.accessToken as string, refresh: refreshCookie(a) };
  };

  beforeAll(async () => {
    oidc = await startHttpsDevOidc({ clientId: OAUTH_CLIENT_ID, clientSecret: OAUTH_CLIENT_SECRET });
    outdir = mkdtempSync(join(tmpdir(), 'rehearsal-'));
    synthMailStack({ outdir, oidcIssuer: oidc.issuer, oauthClientSecretArn: OAUTH_SECRET_ARN });
    r = await startRehearsal({
      stack: readStack(outdir, MAIL_STACK),
      codeFrom: readStack(ASSEMBLY_DIR, DEFAULT_STACK),
      dynamoEndpoint: inject('dynamoEndpoint'),
      externalSecrets: { [OAUTH_SECRET_ARN]: OAUTH_CLIENT_SECRET },
      runtimeEnv: { NODE_EXTRA_CA_CERTS: oidc.caFile },
    });
    oidc.setRedirectUri(`${r.url}/auth/oauth/dev/callback`);
    call = client(r.url);
    await r.deploy();
    await r.warm();
  });

  afterAll(async () => {
    const problems = r?.problems() ?? [];
    if (problems.length) console.error(`[rehearsal ${MAIL_STACK}] problems:\n${JSON.stringify(problems, null, 2)}`);
    await r?.close();
    await oidc?.close();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('runs the bundles of cdk.out with this template: every function has one, none is a rehearsal build', () => {
    const ours = [...r.stack.functions.values()].filter((f) => f.handler === 'index.handler');
    expect(ours.length).toBeGreaterThanOrEqual(21);
    for (const f of ours) {
      expect(f.codeDir, f.logicalId).toContain(ASSEMBLY_DIR);
      expect(f.environment['AWS_ENDPOINT_URL_DYNAMODB'], 'the template never sets endpoints').toBeUndefined();
    }
    expect(r.fn('magic-link').definition.environment['MAIL_FROM']).toBe(MAIL_FROM);
  });

  it('the key ring exists when deploy finishes: JWKS and discovery', async () => {
    const ring = parseRing(
      (
        await r.operatorSecrets.send(
          new GetSecretValueCommand({ SecretId: r.secretArn('KeyRing'), VersionStage: 'AWSCURRENT' }),
        )
      ).SecretString,
    );
    expect(ring?.keys.map((k) => k.status).sort()).toEqual(['current', 'next']);
    const jwks = await call('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.json.keys.map((k: { kid: string }) => k.kid).sort()).toEqual(ring!.keys.map((k) => k.kid).sort());
    expect(JSON.stringify(jwks.json)).not.toMatch(/"d":/);
    const discovery = await call('GET', '/.well-known/openid-configuration');
    expect(discovery.status).toBe(200);
    expect(discovery.json).toMatchObject({ issuer: r.url, jwks_uri: `${r.url}/.well-known/jwks.json` });
  });

  it('signup (201, the verification mail through SES), /auth/me behind the authorizer (200, 401 without or with a bad token)', async () => {
    const u = await signUp();
    expect(mailTo(u.email).last?.subject).toBe('Confirm your email address');
    const me = await call('GET', '/auth/me', { bearer: u.access });
    expect(me.status, me.text).toBe(200);
    expect(me.json).toMatchObject({ sub: u.sub, email: u.email, roles: ['user'] });
    expect((await call('GET', '/auth/me')).status).toBe(401);
    expect((await call('GET', '/auth/me', { bearer: `${u.access.slice(0, -4)}AAAA` })).status).toBe(401);
    const taken = await call('POST', '/auth/signup', { json: { email: u.email, password: password() } });
    expect([taken.status, taken.json?.error]).toEqual([409, 'email_taken']);
    const weak = await call('POST', '/auth/signup', { json: { email: email('weak'), password: 'short' } });
    expect([weak.status, weak.json?.error]).toEqual([422, 'weak_password']);
  });

  it('login (200; 401 invalid_credentials), refresh (200, rotated cookie), reuse (401 token_reused, family revoked)', async () => {
    const u = await signUp();
    const wrong = await call('POST', '/auth/login', { json: { email: u.email, password: 'not the password at all' } });
    expect([wrong.status, wrong.json?.error]).toEqual([401, 'invalid_credentials']);
    const s = await login(u.email, u.password);
    const first = await call('POST', '/auth/refresh', { cookie: `${COOKIE}=${s.refresh}` });
    expect(first.status, first.text).toBe(200);
    const successor = refreshCookie(first);
    expect(successor).toBeTruthy();
    expect(successor).not.toBe(s.refresh);
    const reuse = await call('POST', '/auth/refresh', { cookie: `${COOKIE}=${s.refresh}` });
    expect([reuse.status, reuse.json?.error]).toEqual([401, 'token_reused']);
    const after = await call('POST', '/auth/refresh', { cookie: `${COOKIE}=${successor}` });
    expect(after.status, 'the whole family is revoked').toBe(401);
  });

  it('logout (204, cookie cleared, the session is gone) and logout-all (204: every session; 401 without a token)', async () => {
    const u = await signUp();
    const out = await call('POST', '/auth/logout', {
      cookie: `${COOKIE}=${u.refresh}`,
      headers: { origin: APP_ORIGIN },
    });
    expect(out.status, out.text).toBe(204);
    expect(out.setCookie.join()).toMatch(new RegExp(`${COOKIE}=;|${COOKIE}=.*Max-Age=0`));
    expect((await call('POST', '/auth/refresh', { cookie: `${COOKIE}=${u.refresh}` })).status).toBe(401);
    expect((await call('GET', '/auth/logout')).status).toBe(405);

    const a = await login(u.email, u.password);
    const b = await login(u.email, u.password);
    expect((await call('POST', '/auth/logout-all')).status).toBe(401);
    const all = await call('POST', '/auth/logout-all', { bearer: a.access });
    expect(all.status, all.text).toBe(204);
    for (const s of [a, b])
      expect((await call('POST', '/auth/refresh', { cookie: `${COOKIE}=${s.refresh}` })).status).toBe(401);
  });

  it('email verification from the recorded mail: the page (200 HTML) consumes nothing; the token confirms once', async () => {
    const u = await signUp();
    const { token, link } = mailTo(u.email);
    expect(link).toContain('/auth/verify-email?token=');
    const page = await call('GET', `/auth/verify-email?token=${token}`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
    const ok = await call('POST', '/auth/verify-email', { json: { token } });
    expect([ok.status, ok.json]).toEqual([200, { emailVerified: true }]);
    expect((await call('POST', '/auth/verify-email', { json: { token } })).status).toBe(401);
  });

  it('magic link (202, the link from the recorded mail signs in once) and its code', async () => {
    const u = await signUp();
    const asked = await call('POST', '/auth/magic-link', { json: { email: u.email } });
    expect(asked.status, asked.text).toBe(202);
    const { token, link } = mailTo(u.email);
    expect(link).toContain('/auth/magic-link/verify?token=');
    const page = await call('GET', `/auth/magic-link/verify?token=${token}`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
    const signedIn = await call('POST', '/auth/magic-link/verify', { json: { token } });
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(decodeJwt(signedIn.json.accessToken).sub).toBe(u.sub);
    expect(refreshCookie(signedIn)).toBeTruthy();
    const again = await call('POST', '/auth/magic-link/verify', { json: { token } });
    expect([again.status, again.json?.error]).toEqual([401, 'invalid_token']);

    expect((await call('POST', '/auth/magic-link', { json: { email: u.email } })).status).toBe(202);
    const { code } = mailTo(u.email);
    expect(code).toMatch(/^\d{6,8}$/);
    const byCode = await call('POST', '/auth/magic-link/verify', { json: { email: u.email, code } });
    expect(byCode.status, byCode.text).toBe(200);
  });

  it('password reset from the recorded mail: 202, the page, 204, the new password works and the old one not', async () => {
    const u = await signUp();
    expect((await call('POST', '/auth/password-reset', { json: { email: u.email } })).status).toBe(202);
    expect((await call('POST', '/auth/password-reset', { json: { email: email('nobody') } })).status).toBe(202);
    const { token, link } = mailTo(u.email);
    expect(link).toContain('/auth/password-reset/confirm?token=');
    expect((await call('GET', `/auth/password-reset/confirm?token=${token}`)).status).toBe(200);
    const newPassword = password();
    const done = await call('POST', '/auth/password-reset/confirm', { json: { token, newPassword } });
    expect(done.status, done.text).toBe(204);
    await login(u.email, newPassword);
    expect((await call('POST', '/auth/login', { json: { email: u.email, password: u.password } })).status).toBe(401);
    expect(
      (await call('POST', '/auth/refresh', { cookie: `${COOKIE}=${u.refresh}` })).status,
      'reset ends every session',
    ).toBe(401);
  });

  it('every admin route for an admin (ADMIN_EMAILS, verified address), 403 for a user, 401 without a token', async () => {
    const admin = await signUp(ADMIN_EMAIL);
    adminPassword = admin.password;
    expect((await call('POST', '/auth/verify-email', { json: { token: mailTo(ADMIN_EMAIL).token } })).status).toBe(200);
    const { access } = await login(ADMIN_EMAIL, admin.password);
    expect(decodeJwt(access).roles).toContain('admin');
    const user = await signUp();

    for (const [method, path] of [
      ['GET', `/admin/users/${user.sub}`],
      ['PUT', `/admin/users/${user.sub}/roles`],
      ['POST', `/admin/users/${user.sub}/revoke-sessions`],
      ['POST', `/admin/users/${user.sub}/disable`],
    ] as const) {
      const json = method === 'PUT' ? { roles: ['user', 'editor'] } : undefined;
      expect((await call(method, path, { bearer: user.access, json })).status, `${method} ${path} as a user`).toBe(403);
      expect((await call(method, path, { json })).status, `${method} ${path} without a token`).toBe(401);
    }

    const got = await call('GET', `/admin/users/${user.sub}`, { bearer: access });
    expect(got.status, got.text).toBe(200);
    expect(got.json).toMatchObject({ id: user.sub, email: user.email, roles: ['user'], disabled: false });
    expect(got.text).not.toMatch(/argon2|passwordHash/);
    expect((await call('GET', '/admin/users/00000000-0000-0000-0000-000000000000', { bearer: access })).status).toBe(
      404,
    );
    const roles = await call('PUT', `/admin/users/${user.sub}/roles`, {
      bearer: access,
      json: { roles: ['user', 'editor'] },
    });
    expect([roles.status, roles.json?.roles]).toEqual([200, ['user', 'editor']]);
    expect((await call('POST', `/admin/users/${user.sub}/revoke-sessions`, { bearer: access })).status).toBe(204);
    expect((await call('POST', '/auth/refresh', { cookie: `${COOKIE}=${user.refresh}` })).status).toBe(401);
    expect((await call('POST', `/admin/users/${user.sub}/disable`, { bearer: access })).status).toBe(204);
    const refused = await call('POST', '/auth/login', { json: { email: user.email, password: user.password } });
    expect([refused.status, refused.json?.error]).toEqual([403, 'account_disabled']);
  });

  it('machine clients (S74-S76, S79): register, list, client tokens by secret and by assertion, rotate, delete', async () => {
    const admin = await login(ADMIN_EMAIL, adminPassword);
    const user = await signUp();
    for (const [method, path] of [
      ['POST', '/admin/clients'],
      ['GET', '/admin/clients'],
      ['POST', '/admin/clients/nobody/secret'],
      ['DELETE', '/admin/clients/nobody'],
    ] as const) {
      const json = method === 'POST' && path === '/admin/clients' ? { name: 'x', scopes: [] } : undefined;
      expect((await call(method, path, { bearer: user.access, json })).status, `${method} ${path} as a user`).toBe(403);
    }
    const created = await call('POST', '/admin/clients', {
      bearer: admin.access,
      json: { name: 'rehearsal', scopes: ['reports:read', 'reports:write'] },
    });
    expect(created.status, created.text).toBe(201);
    const { clientId, clientSecret } = created.json as { clientId: string; clientSecret: string };
    const listed = await call('GET', '/admin/clients', { bearer: admin.access });
    expect(listed.status).toBe(200);
    expect(listed.text).toContain(clientId);
    expect(listed.text).not.toContain(clientSecret);
    const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      call('POST', '/oauth2/token', {
        body: new URLSearchParams(body).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    const basic = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    });
    const token = await form({ grant_type: 'client_credentials', scope: 'reports:read' }, basic(clientSecret));
    expect(token.status, token.text).toBe(200);
    expect(token.headers.get('cache-control')).toBe('no-store');
    expect(decodeJwt(token.json.access_token)).toMatchObject({
      sub: clientId,
      client_id: clientId,
      scope: 'reports:read',
    });
    expect(decodeProtectedHeader(token.json.access_token).typ).toBe('at+jwt');
    // The authorizer verifies it, and a role-protected route refuses a client.
    expect((await call('GET', '/auth/me', { bearer: token.json.access_token })).status).toBe(403);
    const wider = await form({ grant_type: 'client_credentials', scope: 'admin' }, basic(clientSecret));
    expect([wider.status, wider.json?.error]).toEqual([400, 'invalid_scope']);
    const bad = await form({ grant_type: 'client_credentials' }, basic('cs_wrong'));
    expect([bad.status, bad.json?.error, bad.headers.get('www-authenticate')?.startsWith('Basic')]).toEqual([
      401,
      'invalid_client',
      true,
    ]);

    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const signer = await call('POST', '/admin/clients', {
      bearer: admin.access,
      json: {
        name: 'signer',
        scopes: ['jobs'],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] },
      },
    });
    expect(signer.status, signer.text).toBe(201);
    const sid = signer.json.clientId as string;
    const assertion = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(sid)
      .setSubject(sid)
      .setAudience(`${r.url}/oauth2/token`)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const jwtForm = {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
    const byAssertion = await form(jwtForm);
    expect(byAssertion.status, byAssertion.text).toBe(200);
    expect((await form(jwtForm)).status, 'a replayed assertion').toBe(401);

    const rotated = await call('POST', `/admin/clients/${clientId}/secret`, { bearer: admin.access });
    expect(rotated.status, rotated.text).toBe(200);
    expect((await form({ grant_type: 'client_credentials' }, basic(clientSecret))).status, 'old, in overlap').toBe(200);
    expect((await form({ grant_type: 'client_credentials' }, basic(rotated.json.clientSecret))).status).toBe(200);
    expect((await call('DELETE', `/admin/clients/${clientId}`, { bearer: admin.access })).status).toBe(204);
    expect((await form({ grant_type: 'client_credentials' }, basic(rotated.json.clientSecret))).status).toBe(401);
    expect((await call('DELETE', `/admin/clients/${clientId}`, { bearer: admin.access })).status).toBe(404);
  });

  it('second factors (S59, S60, S63): enrol, confirm, mfa_required, verify, codes, remove; admin reset', async () => {
    const user = await signUp();
    const started = await call('POST', '/auth/mfa/totp', { bearer: user.access });
    expect(started.status, started.text).toBe(201);
    const key = decodeBase32IgnorePadding(started.json.secret as string);
    const step = totpStep(Date.now() / 1000);
    const confirmed = await call('POST', '/auth/mfa/totp/verify', {
      bearer: user.access,
      json: { factorId: started.json.factorId, code: totpCode(key, step - 1) },
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.json.recoveryCodes).toHaveLength(10);
    const mfaAccess = confirmed.json.accessToken as string;
    expect((await call('GET', '/auth/mfa', { bearer: mfaAccess })).json.factors).toHaveLength(1);
    const challenged = await call('POST', '/auth/login', { json: { email: user.email, password: user.password } });
    expect([challenged.status, challenged.json?.error]).toEqual([401, 'mfa_required']);
    const verified = await call('POST', '/auth/mfa/verify', {
      json: { mfaToken: challenged.json.mfaToken, method: 'totp', code: totpCode(key, step) },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(decodeJwt(verified.json.accessToken).amr).toEqual(['pwd', 'mfa']);
    expect((await call('POST', '/auth/mfa/recovery-codes', { bearer: user.access })).status).toBe(403);
    expect((await call('POST', '/auth/mfa/recovery-codes', { bearer: mfaAccess })).status).toBe(200);
    const reset = `/admin/users/${user.sub}/mfa/reset`;
    expect((await call('POST', reset, { bearer: user.access })).status).toBe(403);
    expect((await call('POST', reset, {})).status).toBe(401);
    expect((await call('DELETE', `/auth/mfa/${started.json.factorId}`, { bearer: mfaAccess })).status).toBe(204);
    const admin = await login(ADMIN_EMAIL, adminPassword);
    expect((await call('POST', reset, { bearer: admin.access })).status).toBe(204);
  });

  it('passkeys (S67, S68, S72): register, list, usernameless sign-in with amr pop+mfa, second factor, remove', async () => {
    const user = await signUp();
    const options = await call('POST', '/auth/passkeys/register/options', { bearer: user.access });
    expect(options.status, options.text).toBe(200);
    // The stack's WEBAUTHN_RP_ID is the app's domain; the software authenticator answers as the app's page.
    expect(options.json.rp.id).toBe(new URL(APP_ORIGIN).hostname);
    const auth = new SoftAuthenticator({ origin: APP_ORIGIN, rpId: options.json.rp.id as string });
    const registered = await call('POST', '/auth/passkeys/register/verify', {
      bearer: user.access,
      json: { response: auth.register(options.json), name: 'Rehearsal' },
    });
    expect(registered.status, registered.text).toBe(201);
    expect((await call('GET', '/auth/passkeys', { bearer: user.access })).json.passkeys).toHaveLength(1);
    const request = await call('POST', '/auth/passkeys/authenticate/options', { json: {} });
    expect(request.status, request.text).toBe(200);
    const signedIn = await call('POST', '/auth/passkeys/authenticate/verify', {
      json: { response: auth.assert(request.json), tokenDelivery: 'body' },
    });
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(decodeJwt(signedIn.json.accessToken).amr).toEqual(['pop', 'mfa']);
    const challenged = await call('POST', '/auth/login', { json: { email: user.email, password: user.password } });
    expect([challenged.status, challenged.json?.methods]).toEqual([401, ['webauthn']]);
    const second = await call('POST', '/auth/mfa/webauthn/options', { json: { mfaToken: challenged.json.mfaToken } });
    expect(second.status, second.text).toBe(200);
    const verified = await call('POST', '/auth/mfa/verify', {
      json: { mfaToken: challenged.json.mfaToken, method: 'webauthn', response: auth.assert(second.json) },
    });
    expect(verified.status, verified.text).toBe(200);
    const removed = await call('DELETE', `/auth/passkeys/${auth.id}`, { bearer: signedIn.json.accessToken });
    expect(removed.status, removed.text).toBe(204);
  });

  it('social sign-in with the local OpenID provider: 302 to it, back to the callback, 302 to the app with the refresh cookie', async () => {
    const jar = new CookieJar();
    const address = email('social');
    const { callbackUrl } = await signInAtProvider(jar, r.url, {
      redirectTo: `${APP_ORIGIN}/signed-in`,
      as: { email: address },
    });
    const back = await request(jar, callbackUrl);
    expect(back.status, back.text).toBe(302);
    expect(back.location).toMatch(new RegExp(`^${APP_ORIGIN}/signed-in`));
    expect(back.location).not.toMatch(/token=/);
    const refresh = jar.get(r.url, COOKIE);
    expect(refresh).toBeTruthy();
    const session = await call('POST', '/auth/refresh', { cookie: `${COOKIE}=${refresh}` });
    expect(session.status, session.text).toBe(200);
    expect(decodeJwt(session.json.accessToken).email).toBe(address);
    const unknown = await call('GET', `/auth/oauth/nope/authorize?redirectTo=${encodeURIComponent(APP_ORIGIN)}`);
    expect([unknown.status, unknown.json?.error]).toEqual([404, 'unknown_provider']);
  });

  it('two key rotations through RotateSecret (the rotate-keys bundle runs the four steps); new instances sign with the promoted key', async () => {
    const ringArn = r.secretArn('KeyRing');
    const before = await signUp();
    const kids: string[] = [decodeProtectedHeader(before.access).kid!];
    for (let round = 1; round <= 2; round++) {
      const { VersionId } = await r.operatorSecrets.send(new RotateSecretCommand({ SecretId: ringArn }));
      const records = await r.secretsManager.settled();
      expect(records.find((x) => x.versionId === VersionId)?.failed, `rotation ${round}`).toBeUndefined();
      const stages = (await r.operatorSecrets.send(new DescribeSecretCommand({ SecretId: ringArn })))
        .VersionIdsToStages!;
      expect(stages[VersionId!]).toEqual(['AWSCURRENT']);
      // Instances cache the ring and the JWKS (KEY_RING_CACHE_SECONDS, JWKS_CACHE_SECONDS): with rotations seconds
      // apart instead of 30 days, only new instances are sure to see the rotated ring, as after a day on AWS.
      for (const name of ['signup', 'jwks', 'authorizer']) await r.fn(name).restart();
      const u = await signUp();
      kids.push(decodeProtectedHeader(u.access).kid!);
      const me = await call('GET', '/auth/me', { bearer: u.access });
      expect(me.status, `rotation ${round}: a token of the promoted key`).toBe(200);
      if (round === 1) {
        const old = await call('GET', '/auth/me', { bearer: before.access });
        expect(old.status, 'a token of the key before the rotation: still published as previous').toBe(200);
      }
      const jwks = await call('GET', '/.well-known/jwks.json');
      expect(jwks.json.keys.map((k: { kid: string }) => k.kid)).toContain(kids.at(-1));
    }
    expect(new Set(kids).size, 'each rotation promoted another key').toBe(3);
    const ring = parseRing(
      (await r.operatorSecrets.send(new GetSecretValueCommand({ SecretId: ringArn, VersionStage: 'AWSCURRENT' })))
        .SecretString,
    )!;
    expect(ring.keys.find((k) => k.status === 'current')?.kid).toBe(kids[2]);
    expect(ring.keys.find((k) => k.status === 'previous')?.kid).toBe(kids[1]);
  });

  it('S77/S78/S81: a personal API key: created once, acts as its owner through the authorizer (its own DynamoDB grant), listed, revoked and then refused', async () => {
    const user = await signUp();
    const created = await call('POST', '/auth/api-keys', { bearer: user.access, json: { name: 'ci' } });
    expect(created.status, created.text).toBe(201);
    const key = created.json.key as string;
    expect(key).toMatch(/^lak_[0-9A-Za-z]{49}$/);
    const me = await call('GET', '/auth/me', { bearer: key });
    expect([me.status, me.json?.sub]).toEqual([200, user.sub]);
    const list = await call('GET', '/auth/api-keys', { bearer: key });
    expect(list.status).toBe(200);
    expect(list.json.apiKeys).toEqual([expect.objectContaining({ id: created.json.id, prefix: key.slice(0, 12) })]);
    expect(list.json.apiKeys[0].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.json)).not.toContain(key);
    // A bad checksum is refused by the authorizer itself; an API key cannot make keys.
    expect(
      (await call('GET', '/auth/me', { bearer: `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}` })).status,
    ).toBe(401);
    expect((await call('POST', '/auth/api-keys', { bearer: key, json: { name: 'x' } })).status).toBe(403);
    expect((await call('DELETE', `/auth/api-keys/${created.json.id}`, { bearer: user.access })).status).toBe(204);
    expect((await call('DELETE', `/auth/api-keys/${created.json.id}`, { bearer: user.access })).status).toBe(404);
    // A route this key has not called yet, so API Gateway's cache holds nothing for it: the authorizer reads again.
    expect((await call('GET', '/auth/mfa', { bearer: key })).status).toBe(401);
  });

  it('each JSON route answers a malformed and an oversized body with a clean 4xx, never a 5xx', async () => {
    const admin = await login(ADMIN_EMAIL, adminPassword);
    const user = await signUp();
    const bodyRoutes = r.stack.routes.filter((x) => /^(POST|PUT|PATCH) /.test(x.routeKey));
    expect(bodyRoutes.length).toBeGreaterThan(10);
    const oversized = JSON.stringify({ email: 'x@example.com', padding: 'x'.repeat(64 * 1024) });
    for (const route of bodyRoutes) {
      const [method, template] = route.routeKey.split(' ') as [string, string];
      const path = template.replace('{id}', user.sub).replace('{provider}', 'dev').replace('{clientId}', 'nobody');
      const bearer = route.authorizer ? (path.startsWith('/admin/') ? admin.access : user.access) : undefined;
      for (const [what, body] of [
        ['malformed', '{"email": "x@example.com",'],
        ['oversized', oversized],
      ] as const) {
        const a = await call(method, path, { body, bearer, headers: { origin: APP_ORIGIN } });
        expect(a.status, `${route.routeKey} ${what}: ${a.text}`).toBeGreaterThanOrEqual(400);
        expect(a.status, `${route.routeKey} ${what}: ${a.text}`).toBeLessThan(500);
        if (a.json)
          expect(
            typeof a.json.error === 'string' || typeof a.json.message === 'string',
            `${route.routeKey} ${what}`,
          ).toBe(true);
      }
    }
  });

  it('drove every route of the template, and no bundle crashed or answered 5xx', () => {
    const hit = r.routesHit();
    expect(r.stack.routes.map((x) => x.routeKey).filter((k) => !hit.has(k))).toEqual([]);
    expect(r.problems()).toEqual([]);
  });
});

/**
 * Passkeys end to end over HTTP against the local runner (routes, authorizer, grants, DynamoDB Local), with the
 * software authenticator answering as the demo page's origin (`http://localhost:PORT`, RP ID `localhost`).
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { totpCode, totpStep } from '../../shared/domain/mfa/totp.js';
import { api, goodPassword, mailsTo, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';
import { SoftAuthenticator } from '../helpers/webauthn.js';

let backend: LocalBackend;
let call: ReturnType<typeof api>;
let origin: string;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  backend = await startTestBackend({ AUTHORIZER_CACHE_SECONDS: '0' });
  call = api(backend.url);
  origin = `http://localhost:${backend.port}`;
});
afterAll(async () => {
  await backend?.close();
});

async function signedUp() {
  const email = uniqueEmail('passkey');
  const password = goodPassword();
  const signup = await call('POST', '/auth/signup', { json: { email, password } });
  expect(signup.status).toBe(201);
  return { email, password, access: signup.body.accessToken as string };
}

async function register(access: string, auth = new SoftAuthenticator({ origin, rpId: 'localhost' })) {
  const options = await call('POST', '/auth/passkeys/register/options', { headers: bearer(access) });
  expect(options.status).toBe(200);
  const verify = await call('POST', '/auth/passkeys/register/verify', {
    headers: bearer(access),
    json: { response: auth.register(options.body), name: 'Laptop' },
  });
  return { auth, options, verify };
}

async function passkeySignIn(auth: SoftAuthenticator, overrides = {}) {
  const options = await call('POST', '/auth/passkeys/authenticate/options', { json: {} });
  expect(options.status).toBe(200);
  return call('POST', '/auth/passkeys/authenticate/verify', {
    json: { response: auth.assert(options.body, overrides), tokenDelivery: 'body' },
  });
}

describe('Passkeys over HTTP', () => {
  it('S67 S68 S70 S72: register (signed in), list, sign in usernameless with amr pop+mfa, 409 for the same key, remove', async () => {
    const { email, access } = await signedUp();
    expect((await call('POST', '/auth/passkeys/register/options')).status).toBe(401);
    const { auth, options, verify } = await register(access);
    expect(options.body.rp).toEqual({ id: 'localhost', name: 'localhost' });
    expect(verify.status).toBe(201);
    expect(verify.body).toMatchObject({ id: auth.id, name: 'Laptop' });
    expect((await register(access, auth)).verify.body).toMatchObject({ error: 'passkey_exists' });
    const list = await call('GET', '/auth/passkeys', { headers: bearer(access) });
    expect(list.body.passkeys).toEqual([
      { id: auth.id, name: 'Laptop', createdAt: expect.any(String), lastUsedAt: null, backedUp: true },
    ]);

    const signIn = await passkeySignIn(auth);
    expect(signIn.status).toBe(200);
    const token = signIn.body.accessToken as string;
    expect(decodeJwt(token).amr).toEqual(['pop', 'mfa']);
    expect((await call('GET', '/auth/me', { headers: bearer(token) })).status).toBe(200);

    // The password session is not recent multi-factor: removing the only factor is refused.
    const refused = await call('DELETE', `/auth/passkeys/${auth.id}`, { headers: bearer(access) });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('reauthentication_required');
    expect((await call('DELETE', `/auth/passkeys/${auth.id}`, { headers: bearer(token) })).status).toBe(204);
    expect((await call('DELETE', `/auth/passkeys/${auth.id}`, { headers: bearer(token) })).status).toBe(404);
    expect((await passkeySignIn(auth)).body).toMatchObject({ error: 'invalid_passkey' });
    // S72: both changes were mailed to the account's address.
    const subjects = (await mailsTo(backend.url, email)).mails.map((m) => m.subject);
    expect(subjects).toEqual(expect.arrayContaining(['A passkey was added to your account', 'A passkey was removed']));
  });

  it('S68 S73: no user verification, a wrong origin, a counter going back: one generic 401 invalid_passkey', async () => {
    const { access } = await signedUp();
    const { auth } = await register(access);
    expect((await passkeySignIn(auth, { counter: 10 })).status).toBe(200);
    const failures = [
      await passkeySignIn(auth, { userVerified: false, counter: 20 }),
      await passkeySignIn(auth, { origin: 'https://evil.example', counter: 21 }),
      await passkeySignIn(auth, { counter: 5 }),
    ];
    for (const f of failures) {
      expect(f.status).toBe(401);
      expect(f.body.error).toBe('invalid_passkey');
      expect(f.body.message).toBe(failures[0].body.message);
    }
    const noUv = new SoftAuthenticator({ origin, rpId: 'localhost', userVerified: false });
    expect((await register(access, noUv)).verify).toMatchObject({ status: 400, body: { error: 'invalid_passkey' } });
  });

  it('a user with a passkey gets webauthn in mfa_required and finishes with it as second factor', async () => {
    const { email, password, access } = await signedUp();
    const { auth } = await register(access);
    const login = await call('POST', '/auth/login', { json: { email, password } });
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ error: 'mfa_required', methods: ['webauthn'] });
    const mfaToken = login.body.mfaToken as string;
    const options = await call('POST', '/auth/mfa/webauthn/options', { json: { mfaToken } });
    expect(options.status).toBe(200);
    expect(options.body.allowCredentials.map((c: { id: string }) => c.id)).toEqual([auth.id]);
    const verify = await call('POST', '/auth/mfa/verify', {
      json: { mfaToken, method: 'webauthn', response: auth.assert(options.body), tokenDelivery: 'body' },
    });
    expect(verify.status).toBe(200);
    expect(decodeJwt(verify.body.accessToken as string).amr).toEqual(['pwd', 'mfa']);
    expect((await call('POST', '/auth/mfa/webauthn/options', { json: { mfaToken } })).status).toBe(401);
  });

  it('S69: as a second factor, a counter going back is refused with no session; the counter moves with a session only', async () => {
    const { email, password, access } = await signedUp();
    const { auth } = await register(access);
    const answer = async (counter: number) => {
      const mfaToken = (await call('POST', '/auth/login', { json: { email, password } })).body.mfaToken as string;
      const options = await call('POST', '/auth/mfa/webauthn/options', { json: { mfaToken } });
      return call('POST', '/auth/mfa/verify', {
        json: { mfaToken, method: 'webauthn', response: auth.assert(options.body, { counter }) },
      });
    };
    expect((await answer(10)).status).toBe(200);
    const back = await answer(5);
    expect([back.status, back.body.error, back.cookies]).toEqual([401, 'invalid_code', []]);
    // 10 is still the stored counter: the same value again is refused, anything above it works.
    expect((await answer(10)).status).toBe(401);
    expect((await answer(11)).status).toBe(200);
  });

  it('a TOTP user can also answer with a passkey (methods has totp and webauthn)', async () => {
    const { email, password, access } = await signedUp();
    const start = await call('POST', '/auth/mfa/totp', { headers: bearer(access) });
    const key = decodeBase32IgnorePadding(start.body.secret as string);
    const confirm = await call('POST', '/auth/mfa/totp/verify', {
      headers: bearer(access),
      json: { factorId: start.body.factorId, code: totpCode(key, totpStep(Date.now() / 1000)), tokenDelivery: 'body' },
    });
    expect(confirm.status).toBe(200);
    const { auth } = await register(confirm.body.accessToken as string);
    const login = await call('POST', '/auth/login', { json: { email, password } });
    expect(login.body.methods).toEqual(['totp', 'recovery_code', 'webauthn']);
    const mfaToken = login.body.mfaToken as string;
    const options = await call('POST', '/auth/mfa/webauthn/options', { json: { mfaToken } });
    // A response to another token's challenge (here: a sign-in challenge) is refused.
    const other = await call('POST', '/auth/passkeys/authenticate/options', { json: {} });
    const wrong = await call('POST', '/auth/mfa/verify', {
      json: { mfaToken, method: 'webauthn', response: auth.assert(other.body) },
    });
    expect(wrong.status).toBe(401);
    const verify = await call('POST', '/auth/mfa/verify', {
      json: { mfaToken, method: 'webauthn', response: auth.assert(options.body), tokenDelivery: 'body' },
    });
    expect(verify.status).toBe(200);
  });
});

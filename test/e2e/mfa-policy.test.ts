/** MFA_POLICY=required over HTTP against the local runner (issue 13, item 5: the backend half). */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import {
  api,
  cookieValue,
  goodPassword,
  REFRESH_COOKIE,
  startTestBackend,
  uniqueEmail,
} from '../helpers/local-backend.js';
import { totpCode, totpStep } from '../../shared/domain/mfa/totp.js';

const codeNow = (secret: string) =>
  totpCode(decodeBase32IgnorePadding(secret), totpStep(Math.floor(Date.now() / 1000)));

describe('MFA_POLICY=required (e2e)', () => {
  let strict: LocalBackend;
  beforeAll(async () => {
    strict = await startTestBackend({ MFA_POLICY: 'required' });
  });
  afterAll(() => strict?.close());

  it('S59: an account without a factor gets 401 mfa_enrollment_required and a token verify does not take', async () => {
    const go = api(strict.url);
    const user = { email: uniqueEmail('strict'), password: goodPassword() };
    const signup = await go('POST', '/auth/signup', { json: user });
    expect(signup.status).toBe(401);
    expect(signup.body.error).toBe('mfa_enrollment_required');
    const res = await go('POST', '/auth/login', { json: user });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('mfa_enrollment_required');
    expect(res.body.mfaToken).toMatch(/^mfa_/);
    expect(res.body.accessToken).toBeUndefined();
    expect(cookieValue(res.cookies, REFRESH_COOKIE)).toBeUndefined();
    const verified = await go('POST', '/auth/mfa/verify', {
      json: { mfaToken: res.body.mfaToken, method: 'totp', code: '000000' },
    });
    expect(verified.body.error).toBe('invalid_token');
  });

  it('S59, S66: the enrolment mfaToken stands in for the Bearer token on the two enrolment routes only, once', async () => {
    const go = api(strict.url);
    const user = { email: uniqueEmail('enrol'), password: goodPassword() };
    await go('POST', '/auth/signup', { json: user });
    const login = await go('POST', '/auth/login', { json: user });
    expect(login.body.error).toBe('mfa_enrollment_required');
    const bearer = { authorization: `Bearer ${String(login.body.mfaToken)}` };

    // Anywhere else the token is no credential at all: the gateway answers 401.
    expect((await go('GET', '/auth/me', { headers: bearer })).status).toBe(401);
    expect((await go('GET', '/auth/mfa', { headers: bearer })).status).toBe(401);

    const enrol = await go('POST', '/auth/mfa/totp', { headers: bearer });
    expect(enrol.status).toBe(201);
    expect(String(enrol.body.otpauthUri)).toContain(encodeURIComponent(user.email));
    const wrong = await go('POST', '/auth/mfa/totp/verify', {
      headers: bearer,
      json: {
        factorId: enrol.body.factorId,
        code: '000000' === codeNow(String(enrol.body.secret)) ? '111111' : '000000',
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_code');

    const confirmed = await go('POST', '/auth/mfa/totp/verify', {
      headers: bearer,
      json: { factorId: enrol.body.factorId, code: codeNow(String(enrol.body.secret)), tokenDelivery: 'body' },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    const claims = decodeJwt(String(confirmed.body.accessToken));
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'mfa']));
    expect(
      (await go('GET', '/auth/me', { headers: { authorization: `Bearer ${String(confirmed.body.accessToken)}` } }))
        .status,
    ).toBe(200);

    // Spent: the same token cannot start or confirm another authenticator.
    const again = await go('POST', '/auth/mfa/totp', { headers: bearer });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_token');

    // The next sign-in is an ordinary challenge now that a factor is confirmed.
    const next = await go('POST', '/auth/login', { json: user });
    expect(next.body.error).toBe('mfa_required');
  });

  it('S59: a sign-in mfaToken is not an enrolment token', async () => {
    const go = api(strict.url);
    const res = await go('POST', '/auth/mfa/totp', { headers: { authorization: `Bearer mfa_${'A'.repeat(43)}` } });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
  });
});

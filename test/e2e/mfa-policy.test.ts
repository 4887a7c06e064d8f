/** MFA_POLICY=required over HTTP against the local runner (issue 13, item 5: the backend half). */
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
});

/**
 * The typed client's second-factor half against a fake server speaking the contract (ARCHITECTURE.md › Second
 * factors): a first factor answers with a typed challenge, `verifyMfa()` turns it into a session whose token has `mfa`.
 */
import { describe, expect, it } from 'vitest';
import { AuthClientError, createAuthClient, isMfaChallenge, type Session } from '../../shared/client/index.js';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const tokens = (accessToken: string, extra: Record<string, unknown> = {}) =>
  json(200, { accessToken, tokenType: 'Bearer', expiresIn: 900, ...extra });

/** A server with one account (alice, TOTP enrolled) and one account under MFA_POLICY=required (bob, none yet). */
function fakeServer() {
  const seen: { url: string; body?: unknown; authorization?: string | null }[] = [];
  const usedTokens = new Set<string>();
  const fetchImpl = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input).pathname;
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, string>) : undefined;
    const authorization = new Headers(init.headers).get('authorization');
    seen.push({ url, body, authorization });
    if (url === '/auth/login') {
      if (body?.password !== 'pw') return json(401, { error: 'invalid_credentials', message: 'Wrong.' });
      if (body.email === 'bob@example.com')
        return json(401, {
          error: 'mfa_enrollment_required',
          message: 'Set up a second factor.',
          mfaToken: 'mfa_bob',
          methods: ['totp'],
          expiresIn: 300,
        });
      return json(401, {
        error: 'mfa_required',
        message: 'Enter a code from your authenticator app.',
        mfaToken: 'mfa_alice',
        methods: ['totp', 'recovery_code'],
        expiresIn: 300,
      });
    }
    // No refresh cookie in this fake browser: signed out until a sign-in completes.
    if (url === '/auth/refresh') return json(401, { error: 'invalid_token', message: 'No session.' });
    if (url === '/auth/mfa/verify') {
      if (!body?.mfaToken || usedTokens.has(body.mfaToken))
        return json(401, { error: 'invalid_token', message: 'Sign in again.' });
      if (body.code !== '123456') return json(401, { error: 'invalid_code', message: 'That code is not right.' });
      usedTokens.add(body.mfaToken);
      return tokens('at_mfa');
    }
    if (url === '/auth/mfa/totp') {
      if (authorization !== 'Bearer mfa_bob' && authorization !== 'Bearer at_mfa')
        return json(401, { error: 'unauthorized', message: 'No.' });
      return json(201, {
        factorId: 'f1',
        secret: 'JBSWY3DPEHPK3PXP',
        otpauthUri: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP',
      });
    }
    if (url === '/auth/mfa/totp/verify') {
      if (body?.code !== '123456') return json(401, { error: 'invalid_code', message: 'That code is not right.' });
      return tokens('at_enrolled', { recoveryCodes: Array.from({ length: 10 }, (_, i) => `rc-${i}`) });
    }
    if (url === '/auth/mfa')
      return json(200, { factors: [{ id: 'f1', type: 'totp', createdAt: 'x' }], recoveryCodesRemaining: 10 });
    return json(404, { error: 'not_found', message: 'Not found.' });
  };
  return { seen, fetchImpl };
}

const NOW = 1_000_000;
const client = (fetchImpl: typeof fetch) =>
  createAuthClient({ baseUrl: 'https://auth.test', fetch: fetchImpl, now: () => NOW });

describe('Client: second factors', () => {
  it('S64: a first factor for an account with a factor resolves to a typed challenge, not a session', async () => {
    // Prepare
    const server = fakeServer();
    const auth = client(server.fetchImpl);

    // Act
    const result = await auth.signIn('alice@example.com', 'pw');

    // Assess
    expect(isMfaChallenge(result)).toBe(true);
    expect(result).toEqual({
      type: 'mfa_required',
      mfaToken: 'mfa_alice',
      methods: ['totp', 'recovery_code'],
      expiresAt: NOW + 300_000,
      message: 'Enter a code from your authenticator app.',
    });
    expect(auth.session).toBeUndefined(); // no token yet: the second step is still owed
  });

  it('S64: verifyMfa() sends {mfaToken, method, code} and signs in', async () => {
    const server = fakeServer();
    const auth = client(server.fetchImpl);
    const challenge = await auth.signIn('alice@example.com', 'pw');
    if (!isMfaChallenge(challenge)) throw new Error('expected a challenge');

    const session: Session = await auth.verifyMfa({ mfaToken: challenge.mfaToken, method: 'totp', code: '123456' });

    expect(session).toEqual({ accessToken: 'at_mfa', expiresAt: NOW + 900_000 });
    expect(auth.session).toEqual(session);
    expect(server.seen.at(-1)).toMatchObject({
      url: '/auth/mfa/verify',
      body: { mfaToken: 'mfa_alice', method: 'totp', code: '123456' },
    });
  });

  it('verifyMfa() with a wrong code throws invalid_code and leaves the client signed out', async () => {
    const auth = client(fakeServer().fetchImpl);
    const err = await auth
      .verifyMfa({ mfaToken: 'mfa_alice', method: 'totp', code: '000000' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthClientError);
    expect(err).toMatchObject({ code: 'invalid_code', status: 401 });
    expect(auth.session).toBeUndefined();
  });

  it('a 401 that is no challenge (wrong password) still throws its code', async () => {
    const auth = client(fakeServer().fetchImpl);
    await expect(auth.signIn('alice@example.com', 'nope')).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('S64: mfa_enrollment_required: enrol with the challenge as Bearer, confirm, get the recovery codes once', async () => {
    const server = fakeServer();
    const auth = client(server.fetchImpl);
    const challenge = await auth.signIn('bob@example.com', 'pw');
    if (!isMfaChallenge(challenge)) throw new Error('expected a challenge');
    expect(challenge.type).toBe('mfa_enrollment_required');

    const enrolment = await auth.enrollTotp(challenge);
    const confirmed = await auth.confirmTotp(enrolment.factorId, '123456', challenge);

    expect(enrolment).toMatchObject({ factorId: 'f1', secret: 'JBSWY3DPEHPK3PXP' });
    expect(server.seen.find((r) => r.url === '/auth/mfa/totp')?.authorization).toBe('Bearer mfa_bob');
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(auth.session?.accessToken).toBe('at_enrolled');
  });

  it('the Bearer routes use the session token, and refuse with unauthorized when signed out', async () => {
    const server = fakeServer();
    const auth = client(server.fetchImpl);
    await expect(auth.listFactors()).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    await auth.verifyMfa({ mfaToken: 'mfa_alice', method: 'totp', code: '123456' });
    expect(await auth.listFactors()).toMatchObject({ recoveryCodesRemaining: 10 });
    expect(server.seen.at(-1)).toMatchObject({ url: '/auth/mfa', authorization: 'Bearer at_mfa' });
  });
});

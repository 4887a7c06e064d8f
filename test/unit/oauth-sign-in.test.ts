/**
 * The social sign-in use-cases with in-memory stores and a scripted provider client (the protocol itself is
 * exercised against a real oidc-provider in test/e2e/oauth-flow.test.ts): ordering of the checks, the linking
 * policy, and that no failure escapes as an exception (the callback never answers 500).
 */
import { describe, expect, it, vi } from 'vitest';
import { MemoryOAuthTransactionStore } from '../../shared/adapters/memory/oauth-transaction-store.js';
import { MemoryRefreshTokenStore } from '../../shared/adapters/memory/refresh-token-store.js';
import { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { OAuthFlowError, type OAuthProviderClient, type ProviderIdentity } from '../../shared/ports/provider-client.js';
import { resolveProvider } from '../../shared/domain/oauth/providers.js';
import { beginOAuth, completeOAuthSignIn, type OAuthDeps } from '../../shared/domain/oauth/sign-in.js';
import { AuthError } from '../../shared/domain/errors.js';
import { FrozenClock, memoryKeyRing } from '../helpers/fakes.js';

const HOME = 'https://app.example.com/home';
const ISSUER = 'https://idp.example.com';

async function setup(asserted: Partial<ProviderIdentity> = {}) {
  const clock = new FrozenClock();
  const users = new MemoryUserStore();
  const transactions = new MemoryOAuthTransactionStore();
  const finish = vi.fn(async (): Promise<ProviderIdentity> => ({
    issuer: ISSUER,
    subject: 's-1',
    email: 'alice@example.com',
    emailVerified: true,
    ...asserted,
  }));
  const client: OAuthProviderClient = {
    config: resolveProvider('idp', { issuer: ISSUER, clientId: 'c' }),
    authorizationUrl: async (r) => `${ISSUER}/auth?state=${r.state}&code_challenge=${r.codeChallenge}`,
    finish,
  };
  const deps: OAuthDeps = {
    clock,
    users,
    transactions,
    refreshTokens: new MemoryRefreshTokenStore(),
    issuer: new AccessTokenIssuer(await memoryKeyRing(), clock, {
      issuer: 'https://auth.test',
      audience: 'https://auth.test',
      ttlSeconds: 900,
    }),
    session: { idleTtlSeconds: 3600, absoluteTtlSeconds: 86400 },
    provider: (name) => (name === 'idp' ? client : undefined),
    callbackUrl: (name) => `https://auth.test/auth/oauth/${name}/callback`,
    allowedRedirectOrigins: ['https://app.example.com'],
    transactionTtlSeconds: 600,
    defaultRoles: ['user'],
  };
  const begin = async () => {
    const { location, binding } = await beginOAuth(deps, { provider: 'idp', redirectTo: HOME });
    return { state: new URL(location).searchParams.get('state')!, binding };
  };
  const complete = (state: string | null, binding: string | undefined, provider = 'idp') =>
    completeOAuthSignIn(deps, {
      provider,
      params: new URLSearchParams(state === null ? {} : { state, code: 'c' }),
      bindingCookie: binding,
    });
  return { deps, clock, users, transactions, finish, begin, complete };
}

describe('Use-case: beginOAuth', () => {
  it('refuses an unknown provider (404) and a redirect off the allowlist (400) before storing anything', async () => {
    const { deps, transactions } = await setup();
    const create = vi.spyOn(transactions, 'create');
    await expect(beginOAuth(deps, { provider: 'nope', redirectTo: HOME })).rejects.toMatchObject({
      code: 'unknown_provider',
      status: 404,
    });
    await expect(beginOAuth(deps, { provider: 'idp', redirectTo: 'https://evil.example.com/' })).rejects.toBeInstanceOf(
      AuthError,
    );
    expect(create).not.toHaveBeenCalled();
  });

  it('S39: uses the one strict redirect rule (no repaired scheme, no explicit default port)', async () => {
    const { deps } = await setup();
    for (const redirectTo of ['https:app.example.com/x', 'https://app.example.com:443/x']) {
      await expect(beginOAuth(deps, { provider: 'idp', redirectTo })).rejects.toMatchObject({
        code: 'invalid_redirect',
      });
    }
    await expect(beginOAuth(deps, { provider: 'idp', redirectTo: 'https://app.example.com/x' })).resolves.toMatchObject(
      { binding: expect.any(String) },
    );
  });
});

describe('Use-case: completeOAuthSignIn', () => {
  it('S34: an expired transaction (past 10 min) is refused before any provider call', async () => {
    const { begin, complete, clock, finish } = await setup();
    const { state, binding } = await begin();
    clock.advance(601);
    expect(await complete(state, binding)).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(finish).not.toHaveBeenCalled();
  });

  it('S34: missing state, wrong binding and another provider route fail before any provider call', async () => {
    const { begin, complete, finish } = await setup();
    expect(await complete(null, 'x')).toEqual({ ok: false, code: 'invalid_state', redirectTo: undefined });
    const a = await begin();
    expect(await complete(a.state, 'not-the-binding')).toEqual({
      ok: false,
      code: 'browser_mismatch',
      redirectTo: HOME,
    });
    expect(finish).not.toHaveBeenCalled();
  });

  it('S38: a verified email creates the account once; the same identity signs into it again', async () => {
    const { begin, complete, users } = await setup();
    const a = await begin();
    const first = await complete(a.state, a.binding);
    const b = await begin();
    const second = await complete(b.state, b.binding);
    expect(first).toMatchObject({ ok: true, redirectTo: HOME });
    expect(second.ok && first.ok && second.userId === first.userId).toBe(true);
    expect(await users.findByIdentity({ issuer: ISSUER, subject: 's-1' })).toMatchObject({
      email: 'alice@example.com',
      emailVerified: true,
    });
  });

  it('S38: an unverified or a missing email never creates an account', async () => {
    for (const asserted of [{ emailVerified: false }, { email: undefined }]) {
      const { begin, complete } = await setup(asserted);
      const a = await begin();
      expect(await complete(a.state, a.binding)).toMatchObject({ ok: false, code: 'email_unverified' });
    }
  });

  it("S38, S52: links to the account of a verified email; an unverified password account becomes the proof holder's alone", async () => {
    for (const [existing, passwordAfter] of [
      [{ emailVerified: false, passwordHash: '$argon2id$x' }, undefined],
      [{ emailVerified: true, passwordHash: '$argon2id$x' }, '$argon2id$x'],
      [{ emailVerified: false }, undefined],
    ] as const) {
      const { begin, complete, users } = await setup();
      await users.create({ id: 'u-existing', email: 'alice@example.com', roles: ['user'], createdAt: 0, ...existing });
      const a = await begin();
      const result = await complete(a.state, a.binding);
      expect(result).toMatchObject({ ok: true, userId: 'u-existing' });
      const after = await users.findById('u-existing');
      expect(after).toMatchObject({ emailVerified: true });
      expect(after?.passwordHash).toBe(passwordAfter);
    }
  });

  it('S51: a disabled account is refused with error=account_disabled, and no identity is linked to it', async () => {
    const { begin, complete, users } = await setup();
    await users.create({
      id: 'u-off',
      email: 'alice@example.com',
      roles: ['user'],
      createdAt: 0,
      emailVerified: true,
      disabled: true,
    });
    const a = await begin();
    expect(await complete(a.state, a.binding)).toEqual({ ok: false, code: 'account_disabled', redirectTo: HOME });
    expect(await users.findByIdentity({ issuer: ISSUER, subject: 's-1' })).toBeUndefined();
  });

  it('never throws: a provider failure or a store failure becomes a coded redirect', async () => {
    const { begin, complete, finish, users } = await setup();
    finish.mockRejectedValueOnce(new OAuthFlowError('invalid_id_token', 'bad'));
    const a = await begin();
    expect(await complete(a.state, a.binding)).toEqual({ ok: false, code: 'invalid_id_token', redirectTo: HOME });
    vi.spyOn(users, 'findByIdentity').mockRejectedValueOnce(new Error('ProvisionedThroughputExceededException'));
    const b = await begin();
    expect(await complete(b.state, b.binding)).toEqual({ ok: false, code: 'server_error', redirectTo: HOME });
  });

  it('S83: a dependency that may pass (the classifier says so) sends the browser back with temporarily_unavailable', async () => {
    const { deps, begin, complete, users } = await setup();
    deps.isUnavailable = (e) => e instanceof Error && e.name === 'ThrottlingException';
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    vi.spyOn(users, 'findByIdentity').mockRejectedValueOnce(throttled);
    const a = await begin();
    expect(await complete(a.state, a.binding)).toEqual({
      ok: false,
      code: 'temporarily_unavailable',
      redirectTo: HOME,
    });
  });
});

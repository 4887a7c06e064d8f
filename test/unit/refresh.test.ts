import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryRefreshTokenStore } from '../../shared/adapters/memory/refresh-token-store.js';
import { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { rotateRefreshToken, type RefreshDeps } from '../../shared/domain/refresh.js';
import { startSession, type SessionTokens } from '../../shared/domain/session.js';
import { logger } from '../../shared/observability/log.js';
import { FrozenClock, memoryKeyRing } from '../helpers/fakes.js';
import { codeOf } from '../helpers/error-code.js';

const DAY = 24 * 3600;
const user = { id: 'u-1', email: 'alice@example.com', roles: ['user'], emailVerified: false, createdAt: 0 };

async function setup(grace = 0) {
  const clock = new FrozenClock();
  const users = new MemoryUserStore();
  await users.create(user);
  const deps: RefreshDeps = {
    clock,
    users,
    refreshTokens: new MemoryRefreshTokenStore(),
    issuer: new AccessTokenIssuer(await memoryKeyRing(), clock, {
      issuer: 'https://auth.test',
      audience: 'https://auth.test',
      ttlSeconds: 900,
    }),
    session: { idleTtlSeconds: 7 * DAY, absoluteTtlSeconds: 30 * DAY },
    reuseGraceSeconds: grace,
  };
  return { deps, clock };
}

describe('Use-case: rotateRefreshToken', () => {
  beforeEach(() => vi.restoreAllMocks());

  it('S22: rotates: the successor works and the presented token then fails', async () => {
    // Prepare
    const { deps } = await setup();
    const first = await startSession(deps, user);
    // Act
    const second = await rotateRefreshToken(deps, first.refreshToken);
    // Assess
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await codeOf(rotateRefreshToken(deps, second.refreshToken))).toBe('ok');
  });

  it('S23: reuse revokes the family (the newest token dies) and logs exactly one security event', async () => {
    const { deps } = await setup();
    const info = vi.spyOn(logger, 'info');
    const first = await startSession(deps, user);
    const second = await rotateRefreshToken(deps, first.refreshToken);
    expect(await codeOf(rotateRefreshToken(deps, first.refreshToken))).toBe('token_reused');
    expect(await codeOf(rotateRefreshToken(deps, second.refreshToken))).toBe('invalid_token');
    const events = info.mock.calls.filter(
      (c) => (c[1] as { securityEvent?: string } | undefined)?.securityEvent === 'refresh_reuse',
    );
    expect(events).toHaveLength(1);
  });

  it('S26: an idle-expired token is refused at read time although the store still holds it', async () => {
    const { deps, clock } = await setup();
    const first = await startSession(deps, user);
    clock.advance(7 * DAY + 1);
    expect(await codeOf(rotateRefreshToken(deps, first.refreshToken))).toBe('invalid_token');
  });

  it('S26: the absolute family lifetime holds even when the token is refreshed every day', async () => {
    const { deps, clock } = await setup();
    let tokens: SessionTokens = await startSession(deps, user);
    for (let day = 0; day < 29; day++) {
      clock.advance(DAY);
      tokens = await rotateRefreshToken(deps, tokens.refreshToken);
    }
    expect(tokens.refreshExpiresIn).toBeLessThanOrEqual(DAY);
    clock.advance(DAY + 1);
    expect(await codeOf(rotateRefreshToken(deps, tokens.refreshToken))).toBe('invalid_token');
  });

  it('S24: inside the grace window the immediate predecessor gets a new token without revoking', async () => {
    const { deps, clock } = await setup(30);
    const first = await startSession(deps, user);
    const second = await rotateRefreshToken(deps, first.refreshToken);
    clock.advance(5);
    const retry = await rotateRefreshToken(deps, first.refreshToken);
    expect(retry.refreshToken).not.toBe(second.refreshToken);
    expect(await codeOf(rotateRefreshToken(deps, second.refreshToken))).toBe('ok');
  });

  it('S24: an older ancestor inside the window still revokes the family', async () => {
    const { deps, clock } = await setup(30);
    const first = await startSession(deps, user);
    const second = await rotateRefreshToken(deps, first.refreshToken);
    const third = await rotateRefreshToken(deps, second.refreshToken);
    clock.advance(1);
    expect(await codeOf(rotateRefreshToken(deps, first.refreshToken))).toBe('token_reused');
    expect(await codeOf(rotateRefreshToken(deps, third.refreshToken))).toBe('invalid_token');
  });

  it('S24: the predecessor after the window has passed revokes the family', async () => {
    const { deps, clock } = await setup(30);
    const first = await startSession(deps, user);
    const second = await rotateRefreshToken(deps, first.refreshToken);
    clock.advance(31);
    expect(await codeOf(rotateRefreshToken(deps, first.refreshToken))).toBe('token_reused');
    expect(await codeOf(rotateRefreshToken(deps, second.refreshToken))).toBe('invalid_token');
  });

  it('S25: with grace 0, N concurrent rotations yield exactly one success', async () => {
    const { deps } = await setup(0);
    const first = await startSession(deps, user);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => codeOf(rotateRefreshToken(deps, first.refreshToken))),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
  });

  it('carries the sign-in method (amr) from the first access token to every rotation', async () => {
    const { deps } = await setup();
    const first = await startSession(deps, user, ['otp']);
    const next = await rotateRefreshToken(deps, first.refreshToken);
    const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());
    expect(claims(first.accessToken).amr).toEqual(['otp']);
    expect(claims(next.accessToken).amr).toEqual(['otp']);
  });

  it('S53: every access token of the family says email_verified (read fresh) and keeps the sign-in auth_time', async () => {
    const { deps, clock } = await setup();
    const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());
    const first = await startSession(deps, user, ['pwd']);
    const signedInAt = Math.floor(clock.now() / 1000);
    expect(claims(first.accessToken)).toMatchObject({ email_verified: false, auth_time: signedInAt });
    clock.advance(3600);
    await deps.users.markEmailVerified(user.id);
    const next = await rotateRefreshToken(deps, first.refreshToken);
    expect(claims(next.accessToken)).toMatchObject({ email_verified: true, auth_time: signedInAt, amr: ['pwd'] });
    expect(claims(next.accessToken).iat).toBe(signedInAt + 3600);
  });

  it('refuses malformed and unknown tokens without touching the store', async () => {
    const { deps } = await setup();
    const get = vi.spyOn(deps.refreshTokens, 'get');
    expect(await codeOf(rotateRefreshToken(deps, undefined))).toBe('invalid_token');
    expect(await codeOf(rotateRefreshToken(deps, 'rt_short'))).toBe('invalid_token');
    expect(get).not.toHaveBeenCalled();
    expect(await codeOf(rotateRefreshToken(deps, `rt_${'a'.repeat(43)}`))).toBe('invalid_token');
  });

  it('roles changed on the user reach the next access token', async () => {
    const { deps } = await setup();
    const first = await startSession(deps, user);
    vi.spyOn(deps.users, 'findById').mockResolvedValue({ ...user, roles: ['user', 'admin'] });
    const next = await rotateRefreshToken(deps, first.refreshToken);
    const payload = JSON.parse(Buffer.from(next.accessToken.split('.')[1], 'base64url').toString());
    expect(payload.roles).toContain('admin');
  });
});

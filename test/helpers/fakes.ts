import { Argon2Hasher, dummyHashFactory } from '../../shared/adapters/argon2-hasher.js';
import { MemoryRateLimiter } from '../../shared/adapters/memory/rate-limiter.js';
import { MemoryRefreshTokenStore } from '../../shared/adapters/memory/refresh-token-store.js';
import { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import type { LoginDeps } from '../../shared/domain/login.js';
import type { SignInDeps } from '../../shared/domain/sign-in/complete-sign-in.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { KeyRing, KeyRingDocument } from '../../shared/ports/key-ring.js';
import { createRing } from '../../shared/domain/key-ring.js';

/** A clock that only moves when told to. */
export class FrozenClock implements Clock {
  constructor(private ms = Date.UTC(2026, 10, 23, 12, 0, 0)) {}
  now() {
    return this.ms;
  }
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

/** An in-memory key ring, made once per test file. */
export async function memoryKeyRing(): Promise<KeyRing & { ring: KeyRingDocument }> {
  const ring = await createRing('ES256', new Date());
  return { ring, load: async () => ring };
}

/**
 * The sign-in funnel's deps on in-memory stores: an ES256 ring, a 15-minute access token for `https://auth.test`,
 * sessions of 1 h idle / 2 h absolute, default role `user`. Spread it and override what a suite needs.
 */
export async function inMemorySignIn(clock: Clock = new FrozenClock()) {
  const users = new MemoryUserStore();
  const refreshTokens = new MemoryRefreshTokenStore();
  const deps = {
    clock,
    users,
    refreshTokens,
    issuer: new AccessTokenIssuer(await memoryKeyRing(), clock, {
      issuer: 'https://auth.test',
      audience: 'https://auth.test',
      ttlSeconds: 900,
    }),
    session: { idleTtlSeconds: 3600, absoluteTtlSeconds: 7200 },
    defaultRoles: ['user'],
  } satisfies SignInDeps;
  return deps;
}

/**
 * The login use-case wired to in-memory stores, a frozen clock and the real argon2id hasher (OWASP parameters).
 * `limits` overrides the per-account/per-IP limits (default 5 and 100 per 15 minutes).
 */
export async function inMemoryLogin(limits: Partial<LoginDeps['limits']> = {}) {
  const clock = new FrozenClock();
  const hasher = new Argon2Hasher();
  const signIn = await inMemorySignIn(clock);
  const deps: LoginDeps = {
    ...signIn,
    hasher,
    limiter: new MemoryRateLimiter(clock),
    passwordPolicy: { minLength: 15, maxLength: 256 },
    limits: { maxAttemptsPerAccount: 5, maxAttemptsPerIp: 100, windowSeconds: 900, ...limits },
    dummyHash: dummyHashFactory(hasher),
  };
  return { deps, users: signIn.users, hasher, clock };
}

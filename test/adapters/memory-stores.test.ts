import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../shared/adapters/memory/rate-limiter.js';
import { MemoryRefreshTokenStore } from '../../shared/adapters/memory/refresh-token-store.js';
import { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import { MemoryOAuthTransactionStore } from '../../shared/adapters/memory/oauth-transaction-store.js';
import { oauthTransactionStoreContract, userIdentityContract } from './store-contract.js';
import { MemoryEmailTokenStore } from '../../shared/adapters/memory/email-token-store.js';
import {
  emailTokenStoreContract,
  rateLimiterContract,
  refreshTokenStoreContract,
  userStoreContract,
} from './store-contract.js';

userStoreContract('MemoryUserStore', async () => new MemoryUserStore());

refreshTokenStoreContract('MemoryRefreshTokenStore', async () => {
  const store = new MemoryRefreshTokenStore();
  return { store, scan: async () => store.dump() };
});

rateLimiterContract('MemoryRateLimiter', async (clock) => new MemoryRateLimiter(clock));

userIdentityContract('MemoryUserStore', async () => new MemoryUserStore());

oauthTransactionStoreContract('MemoryOAuthTransactionStore', async () => new MemoryOAuthTransactionStore());
emailTokenStoreContract('MemoryEmailTokenStore', async () => {
  const store = new MemoryEmailTokenStore();
  return { store, scan: async () => store.dump() };
});

describe('memory parts of the session transaction', () => {
  it('S60: the memory stores commit the session with its parts or nothing, like the DynamoDB transaction', async () => {
    const { AtomicPartFailedError } = await import('../../shared/ports/atomic-part.js');
    const refresh = new MemoryRefreshTokenStore();
    const users = new MemoryUserStore();
    const limiter = new MemoryRateLimiter();
    await users.create({ id: 'u1', email: 'u1@example.com', roles: ['user'], createdAt: 1 } as never);
    await limiter.consume('k', 1, 900);
    const now = Math.floor(Date.now() / 1000);
    const session = (familyId: string, tokenHash: string) =>
      [
        { familyId, userId: 'u1', createdAt: now, expiresAt: now + 3600 },
        {
          tokenHash,
          userId: 'u1',
          familyId,
          familyExpiresAt: now + 3600,
          status: 'active' as const,
          issuedAt: now,
          expiresAt: now + 600,
        },
      ] as const;

    await users.setDisabled('u1', true);
    await expect(
      refresh.createFamily(...session('f1', 't1'), [limiter.resetPart('k', 900), users.enabledPart('u1')]),
    ).rejects.toEqual(new AtomicPartFailedError('account_disabled'));
    expect(await refresh.get('t1')).toBeUndefined();
    expect((await limiter.consume('k', 1, 900)).allowed).toBe(false); // the reset did not happen either

    await users.setDisabled('u1', false);
    await refresh.createFamily(...session('f2', 't2'), [limiter.resetPart('k', 900), users.enabledPart('u1')]);
    expect((await refresh.get('t2'))?.status).toBe('active');
    expect((await limiter.consume('k', 1, 900)).allowed).toBe(true);
  });
});

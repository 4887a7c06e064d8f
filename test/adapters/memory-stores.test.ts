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

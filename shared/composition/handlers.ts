/**
 * The composition root: config, SDK clients and adapters, built once per container (module scope) and
 * only when a function asks for them, so each bundle carries and initialises only what it uses. A function
 * that needs no DynamoDB imports `composition-config.ts` / `composition-keys.ts` directly instead.
 * In AWS the stores are DynamoDB and the ring is in Secrets Manager; the local runner sets
 * DYNAMODB_ENDPOINT (DynamoDB Local) and KEY_RING_FILE instead.
 */
import { Argon2Hasher, dummyHashFactory } from '../adapters/argon2-hasher.js';
import { createDocumentClient } from '../adapters/dynamo/client.js';
import { DynamoRateLimiter } from '../adapters/dynamo/rate-limiter.js';
import { DynamoRefreshTokenStore } from '../adapters/dynamo/refresh-token-store.js';
import { DynamoUserStore } from '../adapters/dynamo/user-store.js';
import { DynamoSignInCopyStore } from '../adapters/dynamo/sign-in-copy-store.js';
import { DynamoApiKeyStore } from '../adapters/dynamo/api-key-store.js';
import { getConfig, lazy, once, systemClock } from './config.js';
import { getIssuer } from './keys.js';
import { required, type Config } from '../config/config.js';
import type { AdminDeps } from '../domain/admin.js';
import type { ApiKeyDeps } from '../domain/api-keys/manage.js';
import type { LoginDeps } from '../domain/login.js';
import type { RefreshDeps } from '../domain/refresh.js';
import type { SessionDeps } from '../domain/session.js';
import type { SignInDeps } from '../domain/sign-in/complete-sign-in.js';
import type { SignUpDeps } from '../domain/signup.js';
import { mfaGateDeps } from './mfa.js';

// Config, clock, key ring and issuer live in small modules of their own (see composition-config.ts for why);
// re-exported so that handlers may keep importing everything from here.
export { getConfig, systemClock } from './config.js';
export { getIssuer, getJwksSource, getKeyRing } from './keys.js';

export const getDoc = /* @__PURE__ */ once(() => createDocumentClient({ endpoint: getConfig().DYNAMODB_ENDPOINT }));

// Each store is `lazy`: built, and its table variable checked, on its first call (see composition-config.ts).
export const getUserStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoUserStore(getDoc(), required(getConfig().USERS_TABLE, 'USERS_TABLE'))),
);
export const getRefreshTokenStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoRefreshTokenStore(getDoc(), required(getConfig().REFRESH_TOKENS_TABLE, 'REFRESH_TOKENS_TABLE'))),
);
export const getRateLimiter = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoRateLimiter(getDoc(), required(getConfig().EPHEMERAL_TABLE, 'EPHEMERAL_TABLE'))),
);
export const getApiKeyStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoApiKeyStore(getDoc(), required(getConfig().API_KEYS_TABLE, 'API_KEYS_TABLE'))),
);
export const getSignInCopies = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoSignInCopyStore(getDoc(), required(getConfig().USERS_TABLE, 'USERS_TABLE'))),
);
export const getHasher = /* @__PURE__ */ once(() => lazy(() => new Argon2Hasher()));

export function sessionDeps(): SessionDeps {
  const c = getConfig();
  return {
    clock: systemClock,
    refreshTokens: getRefreshTokenStore(),
    issuer: getIssuer(),
    session: { idleTtlSeconds: c.REFRESH_IDLE_TTL_SECONDS, absoluteTtlSeconds: c.REFRESH_ABSOLUTE_TTL_SECONDS },
  };
}

/** What the one sign-in funnel needs (shared/domain/sign-in): every sign-in method's deps include it. */
export function signInDeps(): SignInDeps {
  const c = getConfig();
  return {
    ...sessionDeps(),
    users: getUserStore(),
    defaultRoles: c.DEFAULT_ROLES,
    adminEmails: c.ADMIN_EMAILS,
    requireEmailVerification: c.REQUIRE_EMAIL_VERIFICATION,
    mfaGate: mfaGateDeps(),
  };
}

export const passwordPolicy = (c: Config) => ({ minLength: c.PASSWORD_MIN_LENGTH, maxLength: c.PASSWORD_MAX_LENGTH });

export function signUpDeps(): SignUpDeps {
  const c = getConfig();
  return { ...signInDeps(), hasher: getHasher(), passwordPolicy: passwordPolicy(c) };
}

export function loginDeps(): LoginDeps {
  const c = getConfig();
  return {
    ...signInDeps(),
    hasher: getHasher(),
    limiter: getRateLimiter(),
    passwordPolicy: passwordPolicy(c),
    limits: {
      maxAttemptsPerAccount: c.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      maxAttemptsPerIp: c.LOGIN_MAX_ATTEMPTS_PER_IP,
      windowSeconds: c.LOGIN_WINDOW_SECONDS,
    },
    dummyHash: dummyHashFactory(getHasher()),
    copies: getSignInCopies(),
  };
}

export function refreshDeps(): RefreshDeps {
  return { ...sessionDeps(), users: getUserStore(), reuseGraceSeconds: getConfig().REFRESH_REUSE_GRACE_SECONDS };
}

export function adminDeps(): AdminDeps {
  return {
    clock: systemClock,
    users: getUserStore(),
    refreshTokens: getRefreshTokenStore(),
    apiKeys: getApiKeyStore(),
  };
}

/** The API-key routes (S77). */
export function apiKeyDeps(): ApiKeyDeps {
  return { clock: systemClock, apiKeys: getApiKeyStore() };
}

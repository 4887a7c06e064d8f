/**
 * The composition root: config, SDK clients and adapters, built once per container (module scope) and
 * only when a function asks for them, so each bundle carries and initialises only what it uses.
 * In AWS the stores are DynamoDB and the ring is in Secrets Manager; the local runner sets
 * DYNAMODB_ENDPOINT (DynamoDB Local) and KEY_RING_FILE instead.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Argon2Hasher, dummyHashFactory } from './adapters/argon2-hasher.js';
import { createDocumentClient } from './adapters/dynamo/client.js';
import { DynamoRateLimiter } from './adapters/dynamo/rate-limiter.js';
import { DynamoRefreshTokenStore } from './adapters/dynamo/refresh-token-store.js';
import { DynamoOAuthTransactionStore } from './adapters/dynamo/oauth-transaction-store.js';
import { DynamoUserStore } from './adapters/dynamo/user-store.js';
import type { JwksSource } from './adapters/jwks-source.js';
import { FileKeyRing } from './adapters/local/file-key-ring.js';
import { GitHubProviderClient } from './adapters/oauth/github-client.js';
import { OidcProviderClient } from './adapters/oauth/oidc-client.js';
import { SecretsManagerJwksSource, SecretsManagerKeyRing } from './adapters/secrets-manager-key-ring.js';
import { loadConfig, required, type Config } from './config.js';
import { AccessTokenIssuer } from './domain/access-token.js';
import type { LoginDeps } from './domain/login.js';
import type { OAuthProviderClient } from './domain/oauth/provider-client.js';
import { resolveProviders } from './domain/oauth/providers.js';
import type { OAuthDeps } from './domain/oauth/sign-in.js';
import type { RefreshDeps } from './domain/refresh.js';
import type { SessionDeps } from './domain/session.js';
import type { SignUpDeps } from './domain/signup.js';
import type { Clock, KeyRing } from './ports.js';

const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
};

export const systemClock: Clock = { now: () => Date.now() };

export const getConfig = once((): Config => loadConfig(process.env));

const getDoc = once(() => createDocumentClient({ endpoint: getConfig().DYNAMODB_ENDPOINT }));
const getSecrets = once(() => new SecretsManagerClient({}));
const getFileRing = once(() => new FileKeyRing(required(getConfig().KEY_RING_FILE, 'KEY_RING_FILE'), getConfig().SIGNING_ALG));

export const getUserStore = once(() => new DynamoUserStore(getDoc(), required(getConfig().USERS_TABLE, 'USERS_TABLE')));
export const getRefreshTokenStore = once(
  () => new DynamoRefreshTokenStore(getDoc(), required(getConfig().REFRESH_TOKENS_TABLE, 'REFRESH_TOKENS_TABLE')),
);
export const getRateLimiter = once(() => new DynamoRateLimiter(getDoc(), required(getConfig().EPHEMERAL_TABLE, 'EPHEMERAL_TABLE')));
export const getHasher = once(() => new Argon2Hasher());

export const getKeyRing = once((): KeyRing => {
  const c = getConfig();
  if (c.KEY_RING_FILE) return getFileRing();
  return new SecretsManagerKeyRing(getSecrets(), required(c.KEY_RING_SECRET_ID, 'KEY_RING_SECRET_ID'), {
    cacheSeconds: c.KEY_RING_CACHE_SECONDS,
  });
});

export const getJwksSource = once((): JwksSource => {
  const c = getConfig();
  if (c.KEY_RING_FILE) return getFileRing();
  return new SecretsManagerJwksSource(getSecrets(), required(c.PUBLIC_KEYS_SECRET_ID, 'PUBLIC_KEYS_SECRET_ID'), {
    cacheSeconds: c.KEY_RING_CACHE_SECONDS,
  });
});

export const getIssuer = once(() => {
  const c = getConfig();
  return new AccessTokenIssuer(getKeyRing(), systemClock, {
    issuer: c.ISSUER,
    audience: c.AUDIENCE,
    ttlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
  });
});

export function sessionDeps(): SessionDeps {
  const c = getConfig();
  return {
    clock: systemClock,
    refreshTokens: getRefreshTokenStore(),
    issuer: getIssuer(),
    session: { idleTtlSeconds: c.REFRESH_IDLE_TTL_SECONDS, absoluteTtlSeconds: c.REFRESH_ABSOLUTE_TTL_SECONDS },
  };
}

const passwordPolicy = (c: Config) => ({ minLength: c.PASSWORD_MIN_LENGTH, maxLength: c.PASSWORD_MAX_LENGTH });

export function signUpDeps(): SignUpDeps {
  const c = getConfig();
  return { ...sessionDeps(), users: getUserStore(), hasher: getHasher(), passwordPolicy: passwordPolicy(c), defaultRoles: c.DEFAULT_ROLES };
}

export function loginDeps(): LoginDeps {
  const c = getConfig();
  return {
    ...sessionDeps(),
    users: getUserStore(),
    hasher: getHasher(),
    limiter: getRateLimiter(),
    passwordPolicy: passwordPolicy(c),
    limits: {
      maxAttemptsPerAccount: c.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      maxAttemptsPerIp: c.LOGIN_MAX_ATTEMPTS_PER_IP,
      windowSeconds: c.LOGIN_WINDOW_SECONDS,
    },
    dummyHash: dummyHashFactory(getHasher()),
  };
}

export function refreshDeps(): RefreshDeps {
  return { ...sessionDeps(), users: getUserStore(), reuseGraceSeconds: getConfig().REFRESH_REUSE_GRACE_SECONDS };
}

export const getOAuthTransactionStore = once(
  () => new DynamoOAuthTransactionStore(getDoc(), required(getConfig().EPHEMERAL_TABLE, 'EPHEMERAL_TABLE')),
);

/** A client secret named by ARN is read once per container (AWSCURRENT), never put in the environment. */
const secretCache = new Map<string, Promise<string>>();
function readSecret(arn: string): Promise<string> {
  let value = secretCache.get(arn);
  if (!value) {
    value = getSecrets()
      .send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))
      .then((out) => {
        if (!out.SecretString) throw new Error('OAuth client secret is empty');
        return out.SecretString.trim();
      });
    value.catch(() => secretCache.delete(arn));
    secretCache.set(arn, value);
  }
  return value;
}

export const getOAuthProviders = once((): Record<string, OAuthProviderClient> => {
  const c = getConfig();
  const clients: Record<string, OAuthProviderClient> = {};
  for (const [name, p] of Object.entries(resolveProviders(c.OAUTH_PROVIDERS))) {
    const options = {
      allowInsecure: c.OAUTH_ALLOW_INSECURE_ISSUER,
      clockToleranceSeconds: c.CLOCK_TOLERANCE_SECONDS,
      clientSecret: async () => (p.clientSecretArn ? readSecret(p.clientSecretArn) : p.clientSecret),
    };
    clients[name] = p.kind === 'github' ? new GitHubProviderClient(p, options) : new OidcProviderClient(p, options);
  }
  return clients;
});

export function oauthDeps(): OAuthDeps {
  const c = getConfig();
  const providers = getOAuthProviders();
  return {
    ...sessionDeps(),
    users: getUserStore(),
    transactions: getOAuthTransactionStore(),
    provider: (name) => (Object.hasOwn(providers, name) ? providers[name] : undefined),
    callbackUrl: (name) => `${c.ISSUER}/auth/oauth/${encodeURIComponent(name)}/callback`,
    allowedRedirectOrigins: c.ALLOWED_REDIRECT_ORIGINS,
    transactionTtlSeconds: c.OAUTH_TRANSACTION_TTL_SECONDS,
    defaultRoles: c.DEFAULT_ROLES,
  };
}

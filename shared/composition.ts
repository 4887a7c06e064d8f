/**
 * The composition root: config, SDK clients and adapters, built once per container (module scope) and
 * only when a function asks for them, so each bundle carries and initialises only what it uses.
 * In AWS the stores are DynamoDB and the ring is in Secrets Manager; the local runner sets
 * DYNAMODB_ENDPOINT (DynamoDB Local) and KEY_RING_FILE instead.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Argon2Hasher, dummyHashFactory } from './adapters/argon2-hasher.js';
import { createDocumentClient } from './adapters/dynamo/client.js';
import { DynamoRateLimiter } from './adapters/dynamo/rate-limiter.js';
import { DynamoRefreshTokenStore } from './adapters/dynamo/refresh-token-store.js';
import { DynamoUserStore } from './adapters/dynamo/user-store.js';
import type { JwksSource } from './adapters/jwks-source.js';
import { FileKeyRing } from './adapters/local/file-key-ring.js';
import { SecretsManagerJwksSource, SecretsManagerKeyRing } from './adapters/secrets-manager-key-ring.js';
import { loadConfig, required, type Config } from './config.js';
import { AccessTokenIssuer } from './domain/access-token.js';
import type { LoginDeps } from './domain/login.js';
import type { RefreshDeps } from './domain/refresh.js';
import type { SessionDeps } from './domain/session.js';
import type { SignUpDeps } from './domain/signup.js';
import type { Clock, KeyRing } from './ports.js';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoEmailTokenStore } from './adapters/dynamo/email-token-store.js';
import { OutboxMailer } from './adapters/local/outbox.js';
import { SesMailer } from './adapters/ses-mailer.js';
import type { EmailTokenDeps } from './domain/email-token.js';
import type { SignUpWithEmailDeps } from './domain/email-verification.js';
import type { MailDeps } from './domain/mail-delivery.js';
import { defaultMailTemplates, type MailTemplates } from './domain/mail-templates.js';
import type { MagicLinkDeps } from './domain/magic-link.js';
import type { PasswordResetDeps } from './domain/password-reset.js';
import type { Mailer } from './ports.js';

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
    requireEmailVerification: c.REQUIRE_EMAIL_VERIFICATION,
  };
}

export function refreshDeps(): RefreshDeps {
  return { ...sessionDeps(), users: getUserStore(), reuseGraceSeconds: getConfig().REFRESH_REUSE_GRACE_SECONDS };
}

// ── Email flows (magic links, email verification, password reset) ──────────────────────────────────────────

export const getEmailTokenStore = once(
  () => new DynamoEmailTokenStore(getDoc(), required(getConfig().MAGIC_LINKS_TABLE, 'MAGIC_LINKS_TABLE')),
);

export const getMailer = once((): Mailer => {
  const c = getConfig();
  if (c.MAILER === 'outbox') return new OutboxMailer();
  return new SesMailer(new SESv2Client({}), { from: required(c.MAIL_FROM, 'MAIL_FROM'), configurationSet: c.SES_CONFIGURATION_SET });
});

let mailTemplates: MailTemplates = defaultMailTemplates;
/** Replaces the mail templates of this container (e.g. from a wrapper module that imports the handler). */
export const setMailTemplates = (templates: MailTemplates): void => {
  mailTemplates = templates;
};

export function emailTokenDeps(): EmailTokenDeps {
  const c = getConfig();
  return {
    clock: systemClock,
    emailTokens: getEmailTokenStore(),
    emailToken: { ttlSeconds: c.MAGIC_LINK_TTL_SECONDS, maxCodeAttempts: c.EMAIL_CODE_MAX_ATTEMPTS },
  };
}

export function mailDeps(): MailDeps {
  const c = getConfig();
  return {
    // Built lazily: a missing MAIL_FROM fails the first send (503 where allowed), not the cold start.
    mailer: { send: (m) => getMailer().send(m) },
    // Looked up at send time, so `setMailTemplates` works whenever it is called.
    templates: {
      magic_link: (i) => mailTemplates.magic_link(i),
      verify_email: (i) => mailTemplates.verify_email(i),
      password_reset: (i) => mailTemplates.password_reset(i),
      account_exists: (i) => mailTemplates.account_exists(i),
    },
    publicUrl: c.PUBLIC_URL,
    limiter: getRateLimiter(),
    mailLimits: { perAddress: c.MAIL_MAX_PER_ADDRESS, perIp: c.MAIL_MAX_PER_IP, windowSeconds: c.MAIL_WINDOW_SECONDS },
  };
}

export function magicLinkDeps(): MagicLinkDeps {
  const c = getConfig();
  return {
    ...sessionDeps(),
    ...emailTokenDeps(),
    ...mailDeps(),
    users: getUserStore(),
    allowedRedirectOrigins: c.ALLOWED_REDIRECT_ORIGINS,
    signupAllowed: c.MAGIC_LINK_SIGNUP,
    defaultRoles: c.DEFAULT_ROLES,
  };
}

export function passwordResetDeps(): PasswordResetDeps {
  const c = getConfig();
  return {
    ...emailTokenDeps(),
    ...mailDeps(),
    users: getUserStore(),
    hasher: getHasher(),
    refreshTokens: getRefreshTokenStore(),
    passwordPolicy: passwordPolicy(c),
    loginWindowSeconds: c.LOGIN_WINDOW_SECONDS,
  };
}

export function signUpWithEmailDeps(): SignUpWithEmailDeps {
  return { ...signUpDeps(), ...emailTokenDeps(), ...mailDeps(), requireVerification: getConfig().REQUIRE_EMAIL_VERIFICATION };
}

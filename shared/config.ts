/**
 * Configuration: one zod schema, parsed once per container at cold start. A bad value fails fast with a
 * message that names the variable. Secrets never have defaults and never live here.
 */
import { z } from 'zod';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const list = (def: string) =>
  z
    .string()
    .default(def)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );

const bool = (def: boolean) =>
  z
    .enum(['true', 'false'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true');

/** An origin as browsers send it: scheme://host[:port], nothing else. */
const origin = z.string().refine((s) => {
  try {
    return new URL(s).origin === s;
  } catch {
    return false;
  }
}, 'must be an origin like https://app.example.com (no path, no trailing slash)');

export const configSchema = z.object({
  ISSUER: z
    .string()
    .url()
    .refine((s) => !s.endsWith('/'), 'must not end with a slash'),
  /** Defaults to ISSUER. */
  AUDIENCE: z.string().min(1).optional(),
  SIGNING_ALG: z.enum(['ES256', 'RS256', 'EdDSA']).default('ES256'),
  ACCESS_TOKEN_TTL_SECONDS: int(900, 60, 900),
  CLOCK_TOLERANCE_SECONDS: int(30, 0, 60),
  REFRESH_IDLE_TTL_SECONDS: int(7 * 24 * 3600, 300, 90 * 24 * 3600),
  REFRESH_ABSOLUTE_TTL_SECONDS: int(30 * 24 * 3600, 300, 365 * 24 * 3600),
  REFRESH_REUSE_GRACE_SECONDS: int(0, 0, 60),
  REFRESH_COOKIE_NAME: z
    .string()
    .regex(/^__(Secure|Host)-[A-Za-z0-9_-]+$/, 'must start with __Secure- or __Host-')
    .default('__Secure-refresh_token'),
  PASSWORD_MIN_LENGTH: int(15, 8, 64),
  PASSWORD_MAX_LENGTH: int(256, 64, 1024),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: int(5, 1, 1000),
  LOGIN_MAX_ATTEMPTS_PER_IP: int(100, 1, 100000),
  LOGIN_WINDOW_SECONDS: int(900, 60, 86400),
  DEFAULT_ROLES: list('user'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin)),
  MAX_BODY_BYTES: int(8192, 1024, 1024 * 1024),
  USERS_TABLE: z.string().min(1).optional(),
  REFRESH_TOKENS_TABLE: z.string().min(1).optional(),
  EPHEMERAL_TABLE: z.string().min(1).optional(),
  /** Secrets Manager secret holding the private ring (signers and the rotation function only). */
  KEY_RING_SECRET_ID: z.string().min(1).optional(),
  /** Secrets Manager secret holding the public JWKS (written by the rotation function, read by the JWKS function). */
  PUBLIC_KEYS_SECRET_ID: z.string().min(1).optional(),
  KEY_RING_FILE: z.string().min(1).optional(),
  KEY_RING_CACHE_SECONDS: int(300, 0, 3600),
  /** Where verifiers (the authorizer) read public keys. Defaults to ISSUER + /.well-known/jwks.json. */
  JWKS_URL: z.string().url().optional(),
  JWKS_COOLDOWN_SECONDS: int(30, 1, 3600),
  JWKS_CACHE_SECONDS: int(600, 1, 86400),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  // Email sign-in (magic links, email verification, password reset).
  MAGIC_LINKS_TABLE: z.string().min(1).optional(),
  /** Base URL of the links in mails. Defaults to ISSUER; never taken from the request's Host (S32). */
  PUBLIC_URL: z
    .string()
    .url()
    .refine((s) => !s.endsWith('/'), 'must not end with a slash')
    .optional(),
  /** Exact origins `redirectTo` may point at (S39). Empty: no redirect is allowed. */
  ALLOWED_REDIRECT_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin)),
  MAGIC_LINKS_ENABLED: bool(true),
  /** A magic link for an address without an account signs it up on verify. */
  MAGIC_LINK_SIGNUP: bool(true),
  /** Lifetime of every email link and code (S29: ≤ 10 min by default). */
  MAGIC_LINK_TTL_SECONDS: int(600, 1, 3600),
  EMAIL_CODE_MAX_ATTEMPTS: int(5, 1, 20),
  MAIL_MAX_PER_ADDRESS: int(5, 1, 1000),
  MAIL_MAX_PER_IP: int(50, 1, 100000),
  MAIL_WINDOW_SECONDS: int(900, 60, 86400),
  REQUIRE_EMAIL_VERIFICATION: bool(false),
  /** `ses` in AWS; the local runner uses `outbox` (GET /_dev/outbox). */
  MAILER: z.enum(['ses', 'outbox']).default('ses'),
  MAIL_FROM: z.string().email().optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
});

export type Config = Omit<z.output<typeof configSchema>, 'AUDIENCE' | 'JWKS_URL' | 'PUBLIC_URL'> & {
  AUDIENCE: string;
  JWKS_URL: string;
  PUBLIC_URL: string;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses the environment. Throws `ConfigError` naming every bad variable.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(Object.keys(configSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${detail}`);
  }
  const c = parsed.data;
  if (c.REFRESH_ABSOLUTE_TTL_SECONDS < c.REFRESH_IDLE_TTL_SECONDS) {
    throw new ConfigError('Invalid configuration: REFRESH_ABSOLUTE_TTL_SECONDS must be >= REFRESH_IDLE_TTL_SECONDS');
  }
  return {
    ...c,
    AUDIENCE: c.AUDIENCE ?? c.ISSUER,
    JWKS_URL: c.JWKS_URL ?? `${c.ISSUER}/.well-known/jwks.json`,
    PUBLIC_URL: c.PUBLIC_URL ?? c.ISSUER,
  };
}

/** Returns `value`, or fails naming the variable a function needs but was not given. */
export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new ConfigError(`Invalid configuration: ${name} is required for this function`);
  return value;
}

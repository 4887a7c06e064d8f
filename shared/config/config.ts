/**
 * Configuration: one zod schema, parsed once per container at cold start. A bad value fails fast with a
 * message that names the variable. Secrets never have defaults and never live here.
 *
 * Written with `zod/mini` (the same validation, functional API): the full `zod` namespace is ~450 KB
 * minified and was the largest thing in every function bundle; `zod/mini` tree-shakes to ~20 KB.
 * Each check carries its own message because `zod/mini` ships no locale (its default is "Invalid input").
 */
import * as z from 'zod/mini';
import { oauthProvidersSchema } from '../domain/oauth/providers.js';
import { BOUNDS, type Bound, type BoundedSetting } from './bounds.js';
import { ConfigError } from './config-error.js';
import { isOrigin } from './origin.js';
import { webauthnSettings } from './webauthn.js';

const int = ([def, min, max]: Bound) =>
  z._default(
    z.coerce
      .number()
      .check(
        z.int(`must be an integer from ${min} to ${max}`),
        z.minimum(min, `must be at least ${min}`),
        z.maximum(max, `must be at most ${max}`),
      ),
    def,
  );
const splitList = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const list = (def: string) => z.pipe(z._default(z.string(), def), z.transform(splitList));
const nonEmpty = () => z.optional(z.string().check(z.minLength(1, 'must not be empty')));
const url = () => z.url({ error: 'must be a URL' });

const bool = (def: boolean) =>
  z.pipe(
    z._default(z.enum(['true', 'false'], 'must be true or false'), def ? 'true' : 'false'),
    z.transform((v: 'true' | 'false') => v === 'true'),
  );

const origin = z
  .string()
  .check(z.refine((s) => isOrigin(s), 'must be an origin like https://app.example.com (no path, no trailing slash)'));

/** Every numeric setting, its default and range from `bounds.ts` (named once, so bundles carry each name once). */
const numericSettings = Object.fromEntries(Object.entries(BOUNDS).map(([name, bound]) => [name, int(bound)])) as {
  [K in BoundedSetting]: ReturnType<typeof int>;
};

export const configSchema = z.object({
  ...numericSettings,
  ISSUER: url().check(z.refine((s) => !s.endsWith('/'), 'must not end with a slash')),
  /** Defaults to ISSUER. */
  AUDIENCE: nonEmpty(),
  SIGNING_ALG: z._default(z.enum(['ES256', 'RS256', 'EdDSA'], 'must be ES256, RS256 or EdDSA'), 'ES256'),
  REFRESH_COOKIE_NAME: z._default(
    z.string().check(z.regex(/^__(Secure|Host)-[A-Za-z0-9_-]+$/, 'must start with __Secure- or __Host-')),
    '__Secure-refresh_token',
  ),
  DEFAULT_ROLES: list('user'),
  /** Accounts with these (verified) emails get the `admin` role at sign-in. Bootstrap only; no default password exists. */
  ADMIN_EMAILS: list(''),
  CORS_ORIGINS: z.pipe(list(''), z.array(origin)),
  USERS_TABLE: nonEmpty(),
  REFRESH_TOKENS_TABLE: nonEmpty(),
  EPHEMERAL_TABLE: nonEmpty(),
  /** Secrets Manager secret holding the private ring (signers and the rotation function only). */
  KEY_RING_SECRET_ID: nonEmpty(),
  /** Secrets Manager secret holding the public JWKS (written by the rotation function, read by the JWKS function). */
  PUBLIC_KEYS_SECRET_ID: nonEmpty(),
  KEY_RING_FILE: nonEmpty(),
  /** Where verifiers (the authorizer) read public keys. Defaults to ISSUER + /.well-known/jwks.json. */
  JWKS_URL: z.optional(url()),
  DYNAMODB_ENDPOINT: z.optional(url()),
  /** JSON: `{ "<name>": { issuer, clientId, clientSecret?|clientSecretArn?, scopes?, preset? } }` (shared/domain/oauth/providers.ts). */
  OAUTH_PROVIDERS: z.pipe(
    z.pipe(
      z._default(z.string(), '{}'),
      z.transform((s: string, ctx) => {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'must be a JSON object', input: s });
          return z.NEVER;
        }
      }),
    ),
    oauthProvidersSchema,
  ),
  /** Local development and tests only: lets an OAuth issuer use http://. The CDK construct refuses it. */
  OAUTH_ALLOW_INSECURE_ISSUER: bool(false),
  /** Exact origins that may receive the browser after social sign-in or an email link (S39). Empty: none. */
  ALLOWED_REDIRECT_ORIGINS: z.pipe(list(''), z.array(origin)),
  // Email sign-in (magic links, email verification, password reset).
  MAGIC_LINKS_TABLE: nonEmpty(),
  /** Machine clients (OAuth 2.0 client credentials). */
  CLIENTS_TABLE: nonEmpty(),
  /** The mutual-TLS custom domain (`https://…`), set by the construct's `mutualTls`: enables `tls_client_auth`. */
  MTLS_ENDPOINT: z.optional(url()),
  API_KEYS_TABLE: nonEmpty(),
  /** Base URL of the links in mails. Defaults to ISSUER; never taken from the request's Host (S32). */
  PUBLIC_URL: z.optional(url().check(z.refine((s) => !s.endsWith('/'), 'must not end with a slash'))),
  MAGIC_LINKS_ENABLED: bool(true),
  /** A magic link for an address without an account signs it up on verify. */
  MAGIC_LINK_SIGNUP: bool(true),
  REQUIRE_EMAIL_VERIFICATION: bool(false),
  /** `ses` in AWS; the local runner uses `outbox` (GET /_dev/outbox). */
  MAILER: z._default(z.enum(['ses', 'outbox'], 'must be ses or outbox'), 'ses'),
  MAIL_FROM: z.optional(z.email({ error: 'must be an email address' })),
  SES_CONFIGURATION_SET: nonEmpty(),
  // Second factors (MFA_* numbers: see bounds.ts).
  /** `optional`: users opt in. `required`: a user without a factor must enrol before getting a session. */
  MFA_POLICY: z._default(z.enum(['optional', 'required'], 'must be optional or required'), 'optional'),
  /** Secrets Manager secret holding the data key that seals TOTP secrets (AES-256-GCM). */
  MFA_KEY_SECRET_ID: nonEmpty(),
  /** Local: the same document in a file beside the key ring. */
  MFA_KEY_FILE: nonEmpty(),
  // Passkeys (shared/config/webauthn.ts checks them together; defaults from ISSUER and CORS_ORIGINS).
  WEBAUTHN_RP_ID: nonEmpty(),
  WEBAUTHN_RP_NAME: nonEmpty(),
  WEBAUTHN_ORIGINS: nonEmpty(),
});

export type Config = Omit<
  z.output<typeof configSchema>,
  'AUDIENCE' | 'JWKS_URL' | 'PUBLIC_URL' | 'WEBAUTHN_RP_ID' | 'WEBAUTHN_RP_NAME' | 'WEBAUTHN_ORIGINS'
> & {
  WEBAUTHN_RP_ID: string;
  WEBAUTHN_RP_NAME: string;
  WEBAUTHN_ORIGINS: string[];
  AUDIENCE: string;
  JWKS_URL: string;
  PUBLIC_URL: string;
};

export { ConfigError } from './config-error.js';

/**
 * Parses the environment. Throws `ConfigError` naming every bad variable.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(configSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${detail}`);
  }
  const c = parsed.data;
  if (c.REFRESH_ABSOLUTE_TTL_SECONDS < c.REFRESH_IDLE_TTL_SECONDS) {
    throw new ConfigError('Invalid configuration: REFRESH_ABSOLUTE_TTL_SECONDS must be >= REFRESH_IDLE_TTL_SECONDS');
  }
  const webauthn = webauthnSettings(
    { WEBAUTHN_RP_ID: c.WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME: c.WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS: c.WEBAUTHN_ORIGINS },
    c.ISSUER,
    c.CORS_ORIGINS,
  );
  return {
    ...c,
    WEBAUTHN_RP_ID: webauthn.rpId,
    WEBAUTHN_RP_NAME: webauthn.rpName,
    WEBAUTHN_ORIGINS: webauthn.origins,
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

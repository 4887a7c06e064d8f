/**
 * The backend-wide settings every local function gets (the stack's `commonEnv`): local defaults, then what the
 * developer exported, then what the caller (a test) asked for. Table and secret variables never come from here:
 * each function's spec gives them (functionEnvironment), as in the stack.
 */
import { TABLES } from '../../shared/adapters/dynamo/tables.js';

/** The settings a developer may export before `npm start` (functions/README.md lists them). */
const EXPORTED_SETTINGS = [
  /^(PUBLIC_URL|ALLOWED_REDIRECT_ORIGINS|MAGIC_LINK_[A-Z_]+|MAGIC_LINKS_ENABLED|EMAIL_CODE_MAX_ATTEMPTS)$/,
  /^(MAIL_MAX_PER_[A-Z]+|MAIL_WINDOW_SECONDS|REQUIRE_EMAIL_VERIFICATION|SIGNUP_[A-Z_]+|ADMIN_EMAILS)$/,
  /^(MFA_(POLICY|RECENT_SECONDS|TOKEN_TTL_SECONDS|MAX_ATTEMPTS_PER_[A-Z]+|WINDOW_SECONDS))$/,
  /^(AUDIENCE|ACCESS_TOKEN_TTL_SECONDS|REFRESH_[A-Z_]+|PASSWORD_[A-Z_]+|LOGIN_[A-Z_]+|DEFAULT_ROLES|CORS_ORIGINS)$/,
  /^(MAX_BODY_BYTES|SIGNING_ALG|CLOCK_TOLERANCE_SECONDS|JWKS_[A-Z_]+|POWERTOOLS_LOG_LEVEL|ISSUER|KEY_RING_CACHE_SECONDS)$/,
  /^(OAUTH_PROVIDERS|OAUTH_ALLOW_INSECURE_ISSUER|OAUTH_TRANSACTION_TTL_SECONDS|LOCAL_SDK_TIMEOUT_SCALE)$/,
  /^(WEBAUTHN_(RP_ID|RP_NAME|ORIGINS)|CLIENT_SECRET_OVERLAP_SECONDS|CLIENT_TOKEN_(MAX_PER_CLIENT|WINDOW_SECONDS))$/,
];

/** Variables each function's spec owns (tables, secrets, mail): a caller's value for them is ignored. */
const MANAGED = new Set([
  ...TABLES.map((t) => t.envVar),
  'KEY_RING_FILE',
  'KEY_RING_SECRET_ID',
  'PUBLIC_KEYS_SECRET_ID',
  'MFA_KEY_FILE',
  'MFA_KEY_SECRET_ID',
  'MAIL_FROM',
  'MAILER',
  'JWKS_URL',
  'DYNAMODB_ENDPOINT',
]);

export function localCommonEnv(input: {
  /** The runner's own URL (issuer, redirect and CORS origin). */
  url: string;
  port: number;
  /** The dev OpenID provider's settings, when it runs. */
  devOidcEnv?: Record<string, string>;
  /** What the caller (a test) asked for: wins over everything but the managed variables. */
  env?: Record<string, string>;
  exported?: NodeJS.ProcessEnv;
}): Record<string, string> {
  const exported = input.exported ?? process.env;
  const origins = [input.url, `http://localhost:${input.port}`].join(',');
  return {
    ...input.devOidcEnv,
    ALLOWED_REDIRECT_ORIGINS: origins,
    ISSUER: input.url,
    CORS_ORIGINS: origins,
    POWERTOOLS_SERVICE_NAME: 'auth-local',
    // CloudWatch embedded metrics mean nothing locally; security events still log as JSON lines.
    POWERTOOLS_METRICS_DISABLED: 'true',
    // DynamoDB Local pauses where DynamoDB does not: looser SDK timeouts (shared/adapters/aws-client-config.ts).
    LOCAL_SDK_TIMEOUT_SCALE: '3',
    ...pick(exported, EXPORTED_SETTINGS),
    ...withoutManaged(input.env ?? {}),
  };
}

/** The exported variables named by any of `patterns`, empty ones left out. */
export function pick(env: NodeJS.ProcessEnv, patterns: readonly RegExp[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => patterns.some((p) => p.test(e[0])) && e[1] !== undefined && e[1] !== '',
    ),
  );
}

function withoutManaged(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !MANAGED.has(k)));
}

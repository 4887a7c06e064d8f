/**
 * The one home of every numeric setting's default and allowed range. The full config (`config.ts`), the
 * authorizer's small one (`verifier-config.ts`) and the CDK props validation (`infra/auth-backend-props.ts`)
 * all read them here, so a bound cannot be relaxed in one place and kept in another. Plain data, no zod:
 * the authorizer bundle imports it too.
 */
export interface Bound {
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

const DAY = 24 * 3600;

/** What the authorizer checks: kept apart so that its bundle carries only these three. */
export const VERIFIER_BOUNDS = {
  CLOCK_TOLERANCE_SECONDS: { default: 30, min: 0, max: 60 },
  JWKS_COOLDOWN_SECONDS: { default: 30, min: 1, max: 3600 },
  JWKS_CACHE_SECONDS: { default: 600, min: 1, max: DAY },
} as const satisfies Record<string, Bound>;

export const BOUNDS = {
  ...VERIFIER_BOUNDS,
  // Short-lived access tokens (S22): at most 15 minutes.
  ACCESS_TOKEN_TTL_SECONDS: { default: 900, min: 60, max: 900 },
  REFRESH_IDLE_TTL_SECONDS: { default: 7 * DAY, min: 300, max: 90 * DAY },
  REFRESH_ABSOLUTE_TTL_SECONDS: { default: 30 * DAY, min: 300, max: 365 * DAY },
  // A reuse grace longer than a minute would let a stolen token ride along (S24).
  REFRESH_REUSE_GRACE_SECONDS: { default: 0, min: 0, max: 60 },
  PASSWORD_MIN_LENGTH: { default: 15, min: 8, max: 64 },
  PASSWORD_MAX_LENGTH: { default: 256, min: 64, max: 1024 },
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: { default: 5, min: 1, max: 1000 },
  LOGIN_MAX_ATTEMPTS_PER_IP: { default: 100, min: 1, max: 100_000 },
  LOGIN_WINDOW_SECONDS: { default: 900, min: 60, max: DAY },
  SIGNUP_MAX_PER_IP: { default: 5, min: 1, max: 100_000 },
  SIGNUP_WINDOW_SECONDS: { default: 900, min: 60, max: DAY },
  MAX_BODY_BYTES: { default: 8192, min: 1024, max: 1024 * 1024 },
  KEY_RING_CACHE_SECONDS: { default: 300, min: 0, max: 3600 },
  OAUTH_TRANSACTION_TTL_SECONDS: { default: 600, min: 60, max: 600 },
  MAGIC_LINK_TTL_SECONDS: { default: 600, min: 1, max: 3600 },
  EMAIL_CODE_MAX_ATTEMPTS: { default: 5, min: 1, max: 20 },
  MAIL_MAX_PER_ADDRESS: { default: 5, min: 1, max: 1000 },
  MAIL_MAX_PER_IP: { default: 50, min: 1, max: 100_000 },
  MAIL_WINDOW_SECONDS: { default: 900, min: 60, max: DAY },
  // Second factors (issue 13). An mfaToken lives at most 5 minutes (S66); attempts are capped (S61).
  MFA_RECENT_SECONDS: { default: 300, min: 60, max: DAY },
  MFA_TOKEN_TTL_SECONDS: { default: 300, min: 30, max: 300 },
  MFA_MAX_ATTEMPTS_PER_TOKEN: { default: 5, min: 1, max: 20 },
  MFA_MAX_ATTEMPTS_PER_ACCOUNT: { default: 10, min: 1, max: 1000 },
  MFA_WINDOW_SECONDS: { default: 900, min: 60, max: DAY },
} as const satisfies Record<string, Bound>;

export type BoundedSetting = keyof typeof BOUNDS;

/** True when `value` is an integer inside the setting's range. */
export const withinBounds = (name: BoundedSetting, value: number): boolean =>
  Number.isInteger(value) && value >= BOUNDS[name].min && value <= BOUNDS[name].max;

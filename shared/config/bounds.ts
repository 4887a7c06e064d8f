/**
 * The one home of every numeric setting's default and allowed range. The full config (`config.ts`), the
 * authorizer's small one (`verifier-config.ts`) and the CDK props validation (`infra/auth-backend-props.ts`)
 * all read them here, so a bound cannot be relaxed in one place and kept in another. Plain data, no zod:
 * the authorizer bundle imports it too.
 */

import { DAY, VERIFIER_BOUNDS, type Bound } from './verifier-bounds.js';

export type { Bound };

export const BOUNDS = {
  ...VERIFIER_BOUNDS,
  // Short-lived access tokens (S22): at most 15 minutes.
  ACCESS_TOKEN_TTL_SECONDS: [900, 60, 900],
  REFRESH_IDLE_TTL_SECONDS: [7 * DAY, 300, 90 * DAY],
  REFRESH_ABSOLUTE_TTL_SECONDS: [30 * DAY, 300, 365 * DAY],
  // A reuse grace longer than a minute would let a stolen token ride along (S24).
  REFRESH_REUSE_GRACE_SECONDS: [0, 0, 60],
  PASSWORD_MIN_LENGTH: [15, 8, 64],
  PASSWORD_MAX_LENGTH: [256, 64, 1024],
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: [5, 1, 1000],
  LOGIN_MAX_ATTEMPTS_PER_IP: [100, 1, 100_000],
  LOGIN_WINDOW_SECONDS: [900, 60, DAY],
  // Sign-ups per source IP per window (S55): bounds the argon2 work and the mail one address can cause.
  SIGNUP_MAX_PER_IP: [5, 1, 100_000],
  SIGNUP_WINDOW_SECONDS: [900, 60, DAY],
  MAX_BODY_BYTES: [8192, 1024, 1024 * 1024],
  KEY_RING_CACHE_SECONDS: [300, 0, 3600],
  // An OAuth transaction (state, PKCE verifier, nonce) and its binding cookie live ≤ 10 min (S34).
  OAUTH_TRANSACTION_TTL_SECONDS: [600, 60, 600],
  // Every email link and code (S29: ≤ 10 min by default).
  MAGIC_LINK_TTL_SECONDS: [600, 1, 3600],
  EMAIL_CODE_MAX_ATTEMPTS: [5, 1, 20],
  MAIL_MAX_PER_ADDRESS: [5, 1, 1000],
  MAIL_MAX_PER_IP: [50, 1, 100_000],
  MAIL_WINDOW_SECONDS: [900, 60, DAY],
  // Second factors An mfaToken lives at most 5 minutes (S66); attempts are capped (S61).
  // How recent a second factor must be to remove a factor or make new recovery codes (S63).
  MFA_RECENT_SECONDS: [300, 60, DAY],
  MFA_TOKEN_TTL_SECONDS: [300, 30, 300],
  MFA_MAX_ATTEMPTS_PER_TOKEN: [5, 1, 20],
  MFA_MAX_ATTEMPTS_PER_ACCOUNT: [10, 1, 1000],
  MFA_WINDOW_SECONDS: [900, 60, DAY],
  // Machine clients. After a rotation the previous secret keeps working this long, and never longer than 7 days
  // (S79): long enough to roll the new secret out to every instance of a service, short enough to bound a leak.
  CLIENT_SECRET_OVERLAP_SECONDS: [DAY, 0, 7 * DAY],
  // Token requests per client id per window (S75). A client should reuse its token until it nearly expires.
  CLIENT_TOKEN_MAX_PER_CLIENT: [60, 1, 100_000],
  CLIENT_TOKEN_WINDOW_SECONDS: [60, 10, DAY],
} as const satisfies Record<string, Bound>;

export type BoundedSetting = keyof typeof BOUNDS;

/** True when `value` is an integer inside the setting's range. */
export const withinBounds = (name: BoundedSetting, value: number): boolean =>
  Number.isInteger(value) && value >= BOUNDS[name][1] && value <= BOUNDS[name][2];

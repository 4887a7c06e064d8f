import type { Clock } from '../../ports/clock.js';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import type { UserStore } from '../../ports/user-store.js';
import type { MfaChallengeStore, MfaStore } from '../../ports/mfa-store.js';
import type { SessionDeps } from '../session.js';
import type { SecretBox } from './secret-box.js';
import type { PasskeyStore } from '../../ports/passkey-store.js';
import type { PasskeyDeps } from '../passkeys/passkeys.js';

/** Second-factor limits (S61, S63, S66), as configured. */
export interface MfaLimits {
  /** Attempts per `mfaToken` (5). */
  maxAttemptsPerToken: number;
  /** Attempts per account across every second-factor method, per window (10 per 15 min). */
  maxAttemptsPerAccount: number;
  windowSeconds: number;
  /** Lifetime of an `mfaToken` (≤ 5 min). */
  tokenTtlSeconds: number;
  /** MFA_RECENT_SECONDS: how old a second factor may be for removing a factor or new recovery codes. */
  recentSeconds: number;
}

/** What the funnel needs to answer a challenge instead of a session. */
export interface MfaGateDeps {
  clock: Clock;
  mfa: MfaStore;
  challenges: MfaChallengeStore;
  limits: Pick<MfaLimits, 'tokenTtlSeconds'>;
  /** Passkeys are factors too: an account with one is challenged, and may answer with `webauthn`. */
  passkeys?: Pick<PasskeyStore, 'listByUser'>;
  /** MFA_POLICY: `required` sends an account without a confirmed factor to enrolment first. */
  policy: 'optional' | 'required';
}

export interface MfaDeps extends SessionDeps {
  users: UserStore;
  mfa: MfaStore;
  challenges: MfaChallengeStore;
  limiter: RateLimiter;
  secrets: SecretBox;
  limits: MfaLimits;
  /** Shown by authenticator apps beside the account name. */
  totpIssuer: string;
  /** The `webauthn` method (a passkey as second factor); without it that method is refused. */
  webauthn?: PasskeyDeps;
}

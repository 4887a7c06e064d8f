/**
 * Step-up requirements (S65): a route may ask for a second factor and/or a recent sign-in on top of roles and
 * scopes. One pure check, used by the authorizer at the edge (403) and by `requireMfa` inside a Lambda (401), so the
 * two can never disagree on what "recent" or "with MFA" means.
 */

/** What a route asks of the sign-in behind the token. */
export interface StepUpRequirement {
  /** The token's `amr` must contain `mfa` (a second factor was verified in that session, S64). */
  mfa?: boolean;
  /** The token's `auth_time` must be at most this many seconds old. */
  maxAuthAgeSeconds?: number;
}

/** The claims the check reads: `AccessTokenClaims` and `AuthContext` both fit. */
export interface StepUpClaims {
  amr: readonly string[];
  /** Epoch seconds of the sign-in that started the session, when the token says. */
  authTime?: number;
}

export type StepUpResult = { ok: true } | { ok: false; reason: 'mfa_missing' | 'auth_too_old' };

/** One frozen answer for every pass: the authorizer asks on each request. */
const PASSED: StepUpResult = Object.freeze({ ok: true });

/**
 * @param now epoch seconds
 * @example if (!checkStepUp(claims, { mfa: true, maxAuthAgeSeconds: 300 }, nowSeconds()).ok) deny();
 */
export function checkStepUp(
  claims: StepUpClaims,
  requirement: StepUpRequirement | undefined,
  now: number,
): StepUpResult {
  if (!requirement) return PASSED;
  if (requirement.mfa && !claims.amr.includes('mfa')) return { ok: false, reason: 'mfa_missing' };
  const max = requirement.maxAuthAgeSeconds;
  if (max !== undefined) {
    // A token without auth_time cannot prove how old its sign-in is: treated as too old, never as fresh.
    if (claims.authTime === undefined || now - claims.authTime > max) return { ok: false, reason: 'auth_too_old' };
  }
  return PASSED;
}

/** True when a requirement asks for anything beyond a valid token. */
export const hasStepUp = (r: StepUpRequirement | undefined): boolean =>
  r !== undefined && (r.mfa === true || r.maxAuthAgeSeconds !== undefined);

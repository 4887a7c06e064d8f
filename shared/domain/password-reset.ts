import type { SignInCopyStore } from '../ports/sign-in-copy.js';
import { AuthError } from './errors.js';
import { securityEvent } from '../observability/log.js';
import { nowSeconds } from '../ports/clock.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { RefreshTokenStore } from '../ports/refresh-token-store.js';
import type { UserStore } from '../ports/user-store.js';
import { accountCounter } from './account-counter.js';
import { canonicalizeEmail } from './email.js';
import { issueEmailToken, redeemEmailToken, type EmailTokenDeps, type Redemption } from './email-token.js';
import { deliver, linkTo, pretendToDeliver, throttleMail, type MailDeps } from './mail-delivery.js';
import { LANDING_PATHS } from './mail-templates.js';
import { checkNewPassword, type PasswordPolicy } from './password-policy.js';

export interface PasswordResetDeps extends EmailTokenDeps, MailDeps {
  users: UserStore;
  hasher: PasswordHasher;
  refreshTokens: RefreshTokenStore;
  passwordPolicy: PasswordPolicy;
  /** The login lockout window, so a reset can lift the account's lock (S4: recovery by email). */
  loginWindowSeconds: number;
  /** Where the login counts an account's attempts when it keeps sign-in copies (login.ts); else the limiter. */
  copies?: SignInCopyStore;
}

/**
 * POST /auth/password-reset: `202` whatever the address (S3). Same throttles, same store write for known and
 * unknown addresses; an unknown one gets no mail but the same time spent. A send failure is only logged: a
 * `503` would reveal that the address has an account.
 */
export async function requestPasswordReset(
  deps: PasswordResetDeps,
  input: { email: string; sourceIp: string },
): Promise<void> {
  const email = canonicalizeEmail(input.email);
  await throttleMail(deps, email, input.sourceIp);
  const user = await deps.users.findByEmail(email);
  const issued = await issueEmailToken(deps, { purpose: 'password_reset', email, userId: user?.id });
  if (!user) {
    await pretendToDeliver();
    return;
  }
  const message = deps.templates.password_reset({
    email,
    link: linkTo(deps.publicUrl, LANDING_PATHS.password_reset, issued.token),
    code: issued.code,
    expiresInMinutes: Math.round(deps.emailToken.ttlSeconds / 60),
  });
  await deliver(deps, { to: email, ...message }, { purpose: 'password_reset', failLoud: false });
  securityEvent('email_link_sent', { purpose: 'password_reset', userId: user.id });
}

/**
 * POST /auth/password-reset/confirm: the new password must pass the sign-up policy (checked before the link
 * is consumed, so a weak choice does not burn it); then, once: the hash is replaced, every session of the
 * account ends (S27), the address counts as verified, and the login lock of the account is lifted (S4).
 */
export async function confirmPasswordReset(
  deps: PasswordResetDeps,
  input: Redemption & { newPassword: string },
): Promise<void> {
  const password = checkNewPassword(input.newPassword, deps.passwordPolicy);
  const record = await redeemEmailToken(deps, 'password_reset', input);
  if (!record.userId) throw new AuthError('invalid_token', 'This link or code is invalid, already used or expired.');
  const userId = record.userId;
  await deps.users.updatePasswordHash(userId, await deps.hasher.hash(password));
  const now = nowSeconds(deps.clock);
  const [revoked] = await Promise.all([
    deps.refreshTokens.revokeAllForUser(userId, now),
    deps.users.markEmailVerified(userId),
    accountCounter(deps, record.email, deps.loginWindowSeconds).reset(),
  ]);
  securityEvent('password_reset', { userId, revokedSessions: revoked });
}

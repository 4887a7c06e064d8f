import { AuthError } from './errors.js';
import { securityEvent } from '../observability/log.js';
import type { User } from '../ports/user-store.js';
import { canonicalizeEmail } from './email.js';
import { issueEmailToken, redeemEmailToken, type EmailTokenDeps, type Redemption } from './email-token.js';
import { deliver, linkTo, type MailDeps } from './mail-delivery.js';
import { LANDING_PATHS } from './mail-templates.js';
import { sha256Hex } from './secrets.js';
import type { SessionTokens } from './session.js';
import { completeSignIn } from './sign-in/complete-sign-in.js';
import { createPasswordAccount, type SignUpDeps } from './signup.js';

export interface SignUpLimits {
  /** SIGNUP_MAX_PER_IP: sign-ups one source address may attempt per window (S55). */
  maxPerIp: number;
  windowSeconds: number;
}

export interface SignUpWithEmailDeps extends SignUpDeps, EmailTokenDeps, MailDeps {
  /** REQUIRE_EMAIL_VERIFICATION: sign-up answers 202 for every address and login waits for verification. */
  requireVerification: boolean;
  signupLimits: SignUpLimits;
}

export type SignUpOutcome = { kind: 'session'; tokens: SessionTokens } | { kind: 'pending' };

/**
 * POST /auth/signup with the email flows. Default: `201` + session as before (`409` for a taken address), and a
 * verification mail. With verification required: `202` for new and taken addresses alike (S3): a new account
 * gets the verification mail, an existing one a "you already have an account" notice, so both paths send one
 * mail and take the same time. Sign-up mails have their own per-address budget and never turn into a `429`
 * (that would differ from the answer for an address that was not throttled); over budget, no mail is sent.
 */
export async function signUpWithEmail(
  deps: SignUpWithEmailDeps,
  input: { email: string; password: string; sourceIp: string },
): Promise<SignUpOutcome> {
  await throttleSignUp(deps, input.sourceIp);
  if (!deps.requireVerification) {
    const user = await createPasswordAccount(deps, input);
    const [signIn] = await Promise.all([
      completeSignIn(deps, { account: user, method: 'pwd', proof: { emailVerified: false } }),
      sendVerificationMail(deps, user),
    ]);
    return { kind: 'session', tokens: signIn.tokens };
  }
  let user: User | undefined;
  try {
    user = await createPasswordAccount(deps, input);
  } catch (e) {
    if (!(e instanceof AuthError && e.code === 'email_taken')) throw e;
  }
  if (user) {
    await sendVerificationMail(deps, user);
  } else {
    const email = canonicalizeEmail(input.email);
    if (await withinBudget(deps, email)) {
      const message = deps.templates.account_exists({ email, link: deps.publicUrl });
      await deliver(deps, { to: email, ...message }, { purpose: 'account_exists', failLoud: false });
    }
  }
  return { kind: 'pending' };
}

/**
 * S55: sign-ups are counted per source address before any argon2 work or mail, in one atomic counter. Counted for
 * every attempt, new address or taken, so the 429 says nothing about which addresses have accounts (S3).
 */
async function throttleSignUp(deps: SignUpWithEmailDeps, sourceIp: string): Promise<void> {
  const { maxPerIp, windowSeconds } = deps.signupLimits;
  const decision = await deps.limiter.consume(`signup:ip:${sourceIp}`, maxPerIp, windowSeconds);
  if (decision.allowed) return;
  securityEvent('signup_throttled', { scope: 'ip' });
  throw new AuthError('too_many_attempts', 'Too many sign-ups from this network. Try again later.', {
    headers: { 'Retry-After': String(Math.max(decision.retryAfterSeconds, 1)) },
  });
}

/** Mails a verification link + code to a new account (best effort: a failure is logged, sign-up goes on). */
export async function sendVerificationMail(deps: EmailTokenDeps & MailDeps, user: User): Promise<void> {
  if (!(await withinBudget(deps, user.email))) return;
  const issued = await issueEmailToken(deps, { purpose: 'verify_email', email: user.email, userId: user.id });
  const message = deps.templates.verify_email({
    email: user.email,
    link: linkTo(deps.publicUrl, LANDING_PATHS.verify_email, issued.token),
    code: issued.code,
    expiresInMinutes: Math.round(deps.emailToken.ttlSeconds / 60),
  });
  await deliver(deps, { to: user.email, ...message }, { purpose: 'verify_email', failLoud: false });
  securityEvent('email_link_sent', { purpose: 'verify_email', userId: user.id });
}

/** POST /auth/verify-email: consumes the link once and marks the account's address verified. */
export async function verifyEmail(
  deps: EmailTokenDeps & { users: SignUpDeps['users'] },
  input: Redemption,
): Promise<void> {
  const record = await redeemEmailToken(deps, 'verify_email', input);
  if (!record.userId) throw new AuthError('invalid_token', 'This link or code is invalid, already used or expired.');
  await deps.users.markEmailVerified(record.userId);
  securityEvent('email_verified', { userId: record.userId });
}

async function withinBudget(deps: MailDeps, email: string): Promise<boolean> {
  const { perAddress, windowSeconds } = deps.mailLimits;
  // A budget of its own: sharing the magic-link budget would let anyone tell, by when the 429s start, whether
  // an address signed up in the last window.
  return (await deps.limiter.consume(`mail:signup:${sha256Hex(email)}`, perAddress, windowSeconds)).allowed;
}

import { AuthError } from './errors.js';
import { securityEvent } from '../observability/log.js';
import type { UserStore } from '../ports/user-store.js';
import { canonicalizeEmail } from './email.js';
import {
  issueEmailToken,
  peekEmailToken,
  redeemEmailToken,
  type EmailTokenDeps,
  type Redemption,
} from './email-token.js';
import { deliver, linkTo, pretendToDeliver, throttleMail, type MailDeps } from './mail-delivery.js';
import { LANDING_PATHS } from './mail-templates.js';
import { isAllowedRedirect } from './redirect.js';
import { matchesBrowserBinding, newBrowserBinding } from './browser-binding.js';
import type { SessionTokens } from './session.js';
import { completeSignIn, type SignInDeps, type SignInSubject } from './sign-in/complete-sign-in.js';

export interface MagicLinkDeps extends EmailTokenDeps, MailDeps, SignInDeps {
  users: UserStore;
  allowedRedirectOrigins: string[];
  /** A link for an address without an account signs it up on verify (MAGIC_LINK_SIGNUP). */
  signupAllowed: boolean;
}

/**
 * POST /auth/magic-link. Mails a single-use sign-in link with a fallback code. The caller learns nothing about
 * the address (S3, S33): throttles are counted before the lookup, the same store write happens whether or not
 * the account exists, and when nothing may be sent (unknown address with MAGIC_LINK_SIGNUP=false) the time a
 * send would take is spent instead. The returned `binding` (for the browser-binding cookie) ties the link to the requesting browser (S31).
 */
export async function requestMagicLink(
  deps: MagicLinkDeps,
  input: { email: string; redirectTo?: string; sourceIp: string },
): Promise<{ binding: string }> {
  const email = canonicalizeEmail(input.email);
  if (input.redirectTo !== undefined && !isAllowedRedirect(input.redirectTo, deps.allowedRedirectOrigins)) {
    throw new AuthError('invalid_request', 'redirectTo: is not an allowed redirect target');
  }
  await throttleMail(deps, email, input.sourceIp);
  // Made for every request, known address or not: the cookie must not tell them apart (S3).
  const binding = newBrowserBinding();
  const user = await deps.users.findByEmail(email);
  const issued = await issueEmailToken(deps, {
    purpose: 'magic_link',
    email,
    userId: user?.id,
    redirectTo: input.redirectTo,
    bindingHash: binding.hash,
  });
  if (!user && !deps.signupAllowed) {
    // The link exists but goes nowhere, and verify refuses account-less links while sign-up is off.
    await pretendToDeliver();
    return { binding: binding.value };
  }
  const message = deps.templates.magic_link({
    email,
    link: linkTo(deps.publicUrl, LANDING_PATHS.magic_link, issued.token),
    code: issued.code,
    expiresInMinutes: Math.round(deps.emailToken.ttlSeconds / 60),
  });
  // Known and unknown addresses both send here, so a failure may be reported without revealing anything.
  await deliver(deps, { to: email, ...message }, { purpose: 'magic_link', failLoud: true });
  securityEvent('email_link_sent', { purpose: 'magic_link', userId: user?.id });
  return { binding: binding.value };
}

/**
 * GET /auth/magic-link/verify: never consumes (S31). Says whether the page may submit by itself: only in the
 * browser that requested the link (its binding cookie matches); any other browser is asked first.
 */
export async function inspectMagicLink(
  deps: EmailTokenDeps,
  token: string | undefined,
  binding: string | undefined,
): Promise<{ sameBrowser: boolean }> {
  const record = await peekEmailToken(deps, 'magic_link', token);
  return { sameBrowser: matchesBrowserBinding(record?.bindingHash, binding) };
}

/**
 * POST /auth/magic-link/verify: consumes the link exactly once (S30) and ends in the sign-in funnel. Redeeming
 * the link (or its code) proves control of the mailbox: a disabled account is refused (S51), an account whose
 * address was unproven becomes the mailbox owner's alone (S52: earlier sessions end, a pre-proof password is
 * removed), and an address without an account gets a passwordless one (unless sign-up by link is off).
 */
export async function verifyMagicLink(
  deps: MagicLinkDeps,
  input: Redemption,
): Promise<{ tokens: SessionTokens; redirectTo?: string }> {
  const record = await redeemEmailToken(deps, 'magic_link', input);
  // The account is looked up now, not only when the link was requested: one may have been created in between.
  const user = record.userId ? await deps.users.findById(record.userId) : await deps.users.findByEmail(record.email);
  let subject: SignInSubject;
  if (user) subject = { account: user };
  else if (record.userId || !deps.signupAllowed)
    throw new AuthError('invalid_token', 'This link or code is invalid, already used or expired.');
  else subject = { newAccount: { email: record.email } };
  const result = await completeSignIn(deps, { ...subject, method: 'otp', proof: { emailVerified: true } });
  securityEvent('email_link_used', { purpose: 'magic_link', userId: result.user.id });
  return { tokens: result.tokens, redirectTo: record.redirectTo };
}

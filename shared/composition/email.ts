/**
 * Composition of the email flows (magic links, email verification, password reset): the email-token store, the
 * mailer (SES v2 in AWS, the dev outbox locally) and the templates. Kept apart from composition.ts so that only the
 * functions that send or redeem mail bundle the SES client.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { awsClientConfig } from '../adapters/aws-client-config.js';
import { DynamoEmailTokenStore } from '../adapters/dynamo/email-token-store.js';
import { OutboxMailer } from '../adapters/local/outbox.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import type { EmailTokenDeps } from '../domain/email-token.js';
import type { SignUpWithEmailDeps } from '../domain/email-verification.js';
import type { MailDeps } from '../domain/mail-delivery.js';
import { defaultMailTemplates } from '../domain/mail-templates.js';
import type { MailTemplates } from '../ports/mail-templates.js';
import type { MagicLinkDeps } from '../domain/magic-link.js';
import type { PasswordResetDeps } from '../domain/password-reset.js';
import type { Mailer } from '../ports/mailer.js';
import {
  getDoc,
  getHasher,
  getRateLimiter,
  getRefreshTokenStore,
  getSignInCopies,
  getUserStore,
  passwordPolicy,
  signInDeps,
  signUpDeps,
} from './handlers.js';
import { getConfig, lazy, once, systemClock } from './config.js';
import { required } from '../config/config.js';

// ── Email flows (magic links, email verification, password reset) ──────────────────────────────────────────

export const getEmailTokenStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoEmailTokenStore(getDoc(), required(getConfig().MAGIC_LINKS_TABLE, 'MAGIC_LINKS_TABLE'))),
);

export const getMailer = /* @__PURE__ */ once((): Mailer => {
  const c = getConfig();
  if (c.MAILER === 'outbox') return new OutboxMailer();
  return new SesMailer(new SESv2Client(awsClientConfig('ses')), {
    from: required(c.MAIL_FROM, 'MAIL_FROM'),
    configurationSet: c.SES_CONFIGURATION_SET,
  });
});

let mailTemplates: MailTemplates = defaultMailTemplates;
/** Replaces the mail templates of this container (e.g. from a wrapper module that imports the handler). */
export const setMailTemplates = (templates: MailTemplates): void => {
  mailTemplates = templates;
};

export function emailTokenDeps(): EmailTokenDeps {
  const c = getConfig();
  return {
    clock: systemClock,
    emailTokens: getEmailTokenStore(),
    emailToken: { ttlSeconds: c.MAGIC_LINK_TTL_SECONDS, maxCodeAttempts: c.EMAIL_CODE_MAX_ATTEMPTS },
  };
}

export function mailDeps(): MailDeps {
  const c = getConfig();
  return {
    // Built lazily: a missing MAIL_FROM fails the first send (503 where allowed), not the cold start.
    mailer: { send: (m) => getMailer().send(m) },
    // Looked up at send time, so `setMailTemplates` works whenever it is called.
    templates: {
      magic_link: (i) => mailTemplates.magic_link(i),
      verify_email: (i) => mailTemplates.verify_email(i),
      password_reset: (i) => mailTemplates.password_reset(i),
      account_exists: (i) => mailTemplates.account_exists(i),
    },
    publicUrl: c.PUBLIC_URL,
    limiter: getRateLimiter(),
    mailLimits: { perAddress: c.MAIL_MAX_PER_ADDRESS, perIp: c.MAIL_MAX_PER_IP, windowSeconds: c.MAIL_WINDOW_SECONDS },
  };
}

export function magicLinkDeps(): MagicLinkDeps {
  const c = getConfig();
  return {
    ...signInDeps(),
    ...emailTokenDeps(),
    ...mailDeps(),
    allowedRedirectOrigins: c.ALLOWED_REDIRECT_ORIGINS,
    signupAllowed: c.MAGIC_LINK_SIGNUP,
  };
}

export function passwordResetDeps(): PasswordResetDeps {
  const c = getConfig();
  return {
    ...emailTokenDeps(),
    ...mailDeps(),
    users: getUserStore(),
    hasher: getHasher(),
    refreshTokens: getRefreshTokenStore(),
    passwordPolicy: passwordPolicy(c),
    loginWindowSeconds: c.LOGIN_WINDOW_SECONDS,
    copies: getSignInCopies(),
  };
}

export function signUpWithEmailDeps(): SignUpWithEmailDeps {
  const c = getConfig();
  return {
    ...signUpDeps(),
    ...emailTokenDeps(),
    ...mailDeps(),
    requireVerification: c.REQUIRE_EMAIL_VERIFICATION,
    signupLimits: { maxPerIp: c.SIGNUP_MAX_PER_IP, windowSeconds: c.SIGNUP_WINDOW_SECONDS },
  };
}

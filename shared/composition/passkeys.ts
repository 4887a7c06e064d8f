/**
 * Composition of passkeys: the credential store (users table), the challenge store (ephemeral table) and the
 * relying party from WEBAUTHN_*. Lazy like every other port.
 */
import { DynamoPasskeyChallengeStore } from '../adapters/dynamo/passkey-challenge-store.js';
import { DynamoPasskeyStore } from '../adapters/dynamo/passkey-store.js';
import { required } from '../config/config.js';
import type { PasskeyDeps, PasskeySignInDeps } from '../domain/passkeys/passkeys.js';
import { getConfig, lazy, once, systemClock } from './config.js';
import { mailPasskeyNotices } from '../domain/passkeys/notice.js';
import { getMailer } from './email.js';
import { getDoc, getRateLimiter, getUserStore, signInDeps } from './handlers.js';

export const getPasskeyStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoPasskeyStore(getDoc(), required(getConfig().USERS_TABLE, 'USERS_TABLE'))),
);
const getPasskeyChallengeStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoPasskeyChallengeStore(getDoc(), required(getConfig().EPHEMERAL_TABLE, 'EPHEMERAL_TABLE'))),
);

export function passkeyDeps(): PasskeyDeps {
  const c = getConfig();
  return {
    clock: systemClock,
    passkeys: getPasskeyStore(),
    challenges: getPasskeyChallengeStore(),
    rp: { id: c.WEBAUTHN_RP_ID, name: c.WEBAUTHN_RP_NAME, origins: c.WEBAUTHN_ORIGINS },
  };
}

/** Registering and removing: also mail the user (S72) where mail is configured (a sender, or the outbox). */
export function passkeyManageDeps(): PasskeyDeps {
  const c = getConfig();
  const mailConfigured = c.MAILER === 'outbox' || c.MAIL_FROM !== undefined;
  return {
    ...passkeyDeps(),
    ...(mailConfigured
      ? { notify: mailPasskeyNotices({ users: getUserStore(), mailer: getMailer(), service: c.WEBAUTHN_RP_NAME }) }
      : {}),
  };
}

export function passkeySignInDeps(): PasskeySignInDeps {
  const c = getConfig();
  return {
    ...passkeyDeps(),
    signIn: signInDeps(),
    limiter: getRateLimiter(),
    limits: { maxOptionsPerIp: c.LOGIN_MAX_ATTEMPTS_PER_IP, windowSeconds: c.LOGIN_WINDOW_SECONDS },
  };
}

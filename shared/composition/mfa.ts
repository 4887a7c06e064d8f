/**
 * Composition of second factors: the factor store (users table), the challenge store (ephemeral table)
 * and the secret box. Built lazily like every other port, so a function is asked only for what it really uses.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../adapters/aws-client-config.js';
import { DynamoMfaChallengeStore } from '../adapters/dynamo/mfa-challenge-store.js';
import { DynamoMfaStore } from '../adapters/dynamo/mfa-store.js';
import { fileDataKeys, secretsManagerDataKeys } from '../adapters/mfa-data-key.js';
import { getConfig, lazy, once, systemClock } from './config.js';
import { getDoc, getRateLimiter, getUserStore, sessionDeps } from './handlers.js';
import { getPasskeyStore, passkeyDeps } from './passkeys.js';
import { required } from '../config/config.js';
import type { MfaDeps, MfaGateDeps } from '../domain/mfa/deps.js';
import type { MfaManageDeps } from '../domain/mfa/manage.js';
import { createSecretBox } from '../domain/mfa/secret-box.js';

export const getMfaStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoMfaStore(getDoc(), required(getConfig().USERS_TABLE, 'USERS_TABLE'))),
);
export const getMfaChallengeStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoMfaChallengeStore(getDoc(), required(getConfig().EPHEMERAL_TABLE, 'EPHEMERAL_TABLE'))),
);
const getSecretBox = /* @__PURE__ */ once(() => {
  const c = getConfig();
  return createSecretBox(() =>
    c.MFA_KEY_FILE
      ? fileDataKeys(c.MFA_KEY_FILE)()
      : secretsManagerDataKeys(
          new SecretsManagerClient(awsClientConfig('secretsManager')),
          required(c.MFA_KEY_SECRET_ID, 'MFA_KEY_SECRET_ID'),
        )(),
  );
});

/** What the sign-in funnel needs to challenge (every first factor's deps carry it). */
export function mfaGateDeps(): MfaGateDeps {
  const c = getConfig();
  return {
    clock: systemClock,
    mfa: getMfaStore(),
    challenges: getMfaChallengeStore(),
    limits: { tokenTtlSeconds: c.MFA_TOKEN_TTL_SECONDS },
    passkeys: getPasskeyStore(),
    policy: c.MFA_POLICY,
  };
}

export function mfaDeps(): MfaDeps {
  const c = getConfig();
  return {
    ...sessionDeps(),
    users: getUserStore(),
    mfa: getMfaStore(),
    challenges: getMfaChallengeStore(),
    limiter: getRateLimiter(),
    secrets: getSecretBox(),
    totpIssuer: new URL(c.ISSUER).host,
    webauthn: passkeyDeps(),
    limits: {
      maxAttemptsPerToken: c.MFA_MAX_ATTEMPTS_PER_TOKEN,
      maxAttemptsPerAccount: c.MFA_MAX_ATTEMPTS_PER_ACCOUNT,
      windowSeconds: c.MFA_WINDOW_SECONDS,
      tokenTtlSeconds: c.MFA_TOKEN_TTL_SECONDS,
      recentSeconds: c.MFA_RECENT_SECONDS,
    },
  };
}

export function mfaManageDeps(): MfaManageDeps {
  return { clock: systemClock, mfa: getMfaStore(), recentSeconds: getConfig().MFA_RECENT_SECONDS };
}

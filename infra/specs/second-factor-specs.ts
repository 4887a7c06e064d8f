/** The second-factor and passkey functions' least privilege. Part of FUNCTION_SPECS (infra/function-specs.ts). */
import type { AuthFunctionName, FunctionSpec } from '../function-specs.js';
import { HANDLER_TIMEOUT } from './timeouts.js';

export const SECOND_FACTOR_SPECS = {
  'mfa-totp-enrol': {
    description: 'POST /auth/mfa/totp (Bearer): start enrolling an authenticator app (sealed secret, pending)',
    // Ephemeral: MFA_POLICY=required's enrolment mfaToken, redeemed here in place of a Bearer token (S59).
    tables: { Users: 'readWrite', Ephemeral: 'readWrite' },
    mfaKey: true,
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'mfa-totp-confirm': {
    description: 'POST /auth/mfa/totp/verify (Bearer): confirm an authenticator with its first code, new session',
    // Ephemeral: the per-account attempt counter (S61) and MFA_POLICY=required's enrolment mfaToken (S59).
    tables: { Users: 'readWrite', RefreshTokens: 'readWrite', Ephemeral: 'readWrite' },
    keyRing: 'read',
    mfaKey: true,
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'mfa-list': {
    description: "GET /auth/mfa (Bearer): the caller's second factors",
    tables: { Users: 'read' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'mfa-remove': {
    description: 'DELETE /auth/mfa/{factorId} (Bearer): remove a factor (needs a recent second factor)',
    tables: { Users: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'mfa-recovery-codes': {
    description: 'POST /auth/mfa/recovery-codes (Bearer): a new set of recovery codes (needs a recent second factor)',
    tables: { Users: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'mfa-verify': {
    description: 'POST /auth/mfa/verify: finish a sign-in with a TOTP, recovery code or passkey',
    tables: { Users: 'readWrite', RefreshTokens: 'readWrite', Ephemeral: 'readWrite' },
    keyRing: 'read',
    mfaKey: true,
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'mfa-webauthn-options': {
    description: 'POST /auth/mfa/webauthn/options: passkey request options for a second factor (bound to the mfaToken)',
    tables: { Users: 'read', Ephemeral: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'passkey-register-options': {
    description: 'POST /auth/passkeys/register/options (Bearer): creation options for a new passkey',
    tables: { Users: 'read', Ephemeral: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'passkey-register-verify': {
    description: 'POST /auth/passkeys/register/verify (Bearer): verify and store a new passkey',
    tables: { Users: 'readWrite', Ephemeral: 'readWrite' },
    mail: true,
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'passkey-authenticate-options': {
    description: 'POST /auth/passkeys/authenticate/options: request options for a usernameless passkey sign-in',
    tables: { Ephemeral: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'passkey-authenticate-verify': {
    description: 'POST /auth/passkeys/authenticate/verify: sign in with a passkey (amr pop + mfa)',
    tables: { Users: 'readWrite', RefreshTokens: 'readWrite', Ephemeral: 'readWrite' },
    keyRing: 'read',
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'passkey-list': {
    description: "GET /auth/passkeys (Bearer): the caller's passkeys",
    tables: { Users: 'read' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'passkey-remove': {
    description: 'DELETE /auth/passkeys/{id} (Bearer): remove a passkey',
    tables: { Users: 'readWrite' },
    mail: true,
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'admin-mfa-reset': {
    description: "POST /admin/users/{id}/mfa/reset (admin): remove a user's factors and end the user's sessions",
    tables: { Users: 'readWrite', RefreshTokens: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
} satisfies Partial<Record<AuthFunctionName, FunctionSpec>>;

import { Logger } from '@aws-lambda-powertools/logger';
import { countSecurityEvent } from './metrics.js';

/**
 * One structured JSON logger per container (Powertools). Nothing here ever logs a request body,
 * a header value, a password or a token: callers pass identifiers only (S49).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'auth' });

export type SecurityEventType =
  | 'signup'
  | 'login_success'
  | 'login_failure'
  | 'login_locked'
  | 'signup_throttled'
  | 'refresh_reuse'
  | 'refresh_grace'
  | 'logout'
  | 'logout_all'
  | 'authorizer_deny'
  | 'role_change'
  | 'account_disabled'
  | 'sessions_revoked'
  | 'key_rotation'
  | 'oauth_success'
  | 'oauth_failure'
  | 'oauth_link'
  | 'email_link_sent'
  | 'email_link_used'
  | 'email_code_failed'
  | 'email_verified'
  | 'address_proven'
  | 'password_reset'
  | 'mfa_challenge'
  | 'mfa_enrolled'
  | 'mfa_removed'
  | 'mfa_verified'
  | 'mfa_failed'
  | 'mfa_locked'
  | 'mfa_recovery_code_used'
  | 'mfa_recovery_codes_replaced'
  | 'mfa_reset'
  | 'passkey_added'
  | 'passkey_removed'
  | 'passkey_used'
  | 'passkey_failed'
  | 'passkey_counter_regression'
  | 'client_created'
  | 'client_secret_rotated'
  | 'client_deleted'
  | 'client_token_issued'
  | 'client_token_refused'
  | 'client_deleted_used'
  | 'api_key_created'
  | 'api_key_revoked'
  | 'api_key_used_after_revocation'
  | 'api_key_refused';

/** One JSON line per security event (S50): UTC timestamp and correlation id come from the logger. */
export function securityEvent(
  type: SecurityEventType,
  fields: Record<string, string | number | boolean | undefined> = {},
  level: 'info' | 'error' = 'info',
): void {
  logger[level](`security_event ${type}`, { securityEvent: type, ...fields });
  countSecurityEvent(type);
}

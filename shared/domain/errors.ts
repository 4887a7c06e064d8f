/**
 * One error type for every expected failure. The `code` is part of the HTTP contract
 * (ARCHITECTURE.md): clients branch on it, tests assert it, so codes never change meaning.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_redirect: 400,
  invalid_scope: 400,
  unsupported_grant_type: 400,
  invalid_credentials: 401,
  invalid_token: 401,
  token_reused: 401,
  invalid_code: 401,
  // 401 when signing in; registration answers it as 400 (`status` option).
  invalid_passkey: 401,
  mfa_required: 401,
  mfa_enrollment_required: 401,
  // OAuth 2.0 token endpoint (RFC 6749 §5.2); answered as `{error, error_description}`.
  invalid_client: 401,
  unauthorized: 401,
  // RFC 9470: the token is valid but its sign-in lacks the second factor or recency the resource needs.
  insufficient_user_authentication: 401,
  forbidden: 403,
  forbidden_origin: 403,
  account_disabled: 403,
  email_not_verified: 403,
  reauthentication_required: 403,
  not_found: 404,
  unknown_provider: 404,
  method_not_allowed: 405,
  email_taken: 409,
  passkey_exists: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  weak_password: 422,
  too_many_attempts: 429,
  internal_error: 500,
  service_unavailable: 503,
  mail_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly status: number;
  /** Extra response headers the error implies (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;
  /** Set-Cookie lines the error response carries (e.g. clearing a refresh cookie sent twice, S54). */
  readonly cookies: string[];
  /** Fields the error body carries beside `error` and `message` (the `mfaToken` of `mfa_required`). */
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: {
      cause?: unknown;
      headers?: Record<string, string>;
      cookies?: string[];
      details?: Record<string, unknown>;
      /** Only where the contract gives one code two statuses (`invalid_passkey`: 400 on registration). */
      status?: number;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status ?? ERROR_STATUS[code];
    this.headers = options.headers ?? {};
    this.cookies = options.cookies ?? [];
    this.details = options.details ?? {};
  }

  /** Errors below 500 are the caller's to see; anything else is replaced by a generic body. */
  get expose(): boolean {
    return this.status < 500;
  }
}

/** Raised by stores when a conditional write loses (uniqueness, single use, rotation race). */
export class ConditionFailedError extends Error {
  override readonly name = 'ConditionFailedError';
}

/** The one refusal of a disabled account (S51), whichever step notices it. */
export const accountDisabled = () =>
  new AuthError('account_disabled', 'This account is disabled. Contact the administrator.');

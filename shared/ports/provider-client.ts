/**
 * The port between the OAuth use-cases and the protocol code (`shared/adapters/oauth/*`, built on
 * oauth4webapi): build the authorization URL, and turn a callback into a verified external identity.
 */
import type { OAuthProviderConfig } from '../domain/oauth/providers.js';

/**
 * Stable codes of a failed social sign-in. They reach the browser as `error=<code>` on `redirectTo` (or on
 * the error page), so they are part of the contract (README, "Social sign-in").
 */
export type OAuthFailureCode =
  | 'unknown_provider'
  | 'invalid_state'
  | 'browser_mismatch'
  | 'access_denied'
  | 'provider_error'
  | 'issuer_mismatch'
  | 'invalid_id_token'
  | 'email_unverified'
  | 'account_exists'
  | 'account_disabled'
  | 'temporarily_unavailable'
  | 'server_error';

export class OAuthFlowError extends Error {
  override readonly name = 'OAuthFlowError';
  constructor(
    readonly code: OAuthFailureCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
}

/** What a provider asserted about the user, after every protocol check passed. */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
  email?: string;
  /** True only when the provider says so with a boolean `true` (S38). */
  emailVerified: boolean;
}

export interface AuthorizationRequest {
  state: string;
  nonce: string;
  /** S256 challenge of the verifier (S35); the verifier itself never leaves the server. */
  codeChallenge: string;
  redirectUri: string;
}

export interface CallbackInput {
  /** The callback's query parameters, as received. */
  params: URLSearchParams;
  expectedState: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** Epoch seconds the transaction was created: an ID token issued before it is stale (S36). */
  notBefore: number;
}

export interface OAuthProviderClient {
  readonly config: OAuthProviderConfig;
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
  /** Checks the response (`iss`, errors), redeems the code with the verifier and validates what comes back. Throws `OAuthFlowError`. */
  finish(input: CallbackInput): Promise<ProviderIdentity>;
}

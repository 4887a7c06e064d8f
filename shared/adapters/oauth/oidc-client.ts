import * as oauth from 'oauth4webapi';
import {
  OAuthFlowError,
  type AuthorizationRequest,
  type CallbackInput,
  type OAuthProviderClient,
  type ProviderIdentity,
} from '../../ports/provider-client.js';
import type { OAuthProviderConfig } from '../../domain/oauth/providers.js';

export interface OAuthClientOptions {
  /** Permit http:// endpoints (local development and tests only; the CDK construct refuses it). */
  allowInsecure: boolean;
  /** The client secret, resolved lazily (Secrets Manager in AWS) and cached by the caller. */
  clientSecret: () => Promise<string | undefined>;
  clockToleranceSeconds: number;
  /** Per outbound request. */
  timeoutMs?: number;
}

/**
 * Any OpenID Connect provider, found by discovery, with oauth4webapi doing the protocol work: authorization
 * code + PKCE S256, `state`, `nonce`, the RFC 9207 `iss` response parameter, and full ID token validation —
 * the signature always (against the issuer's JWKS; `none` and HMAC refused), `iss`, `aud`, `azp`, `exp`,
 * `iat`, `nonce` — plus our own stricter checks: a single audience, and an `iat` not older than the transaction.
 * @example const google = new OidcProviderClient(resolveProvider('google', { preset: 'google', clientId }), options);
 */
export class OidcProviderClient implements OAuthProviderClient {
  private metadata?: Promise<oauth.AuthorizationServer>;

  constructor(
    readonly config: OAuthProviderConfig,
    private readonly options: OAuthClientOptions,
  ) {}

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    const as = await this.discover();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: this.config.scopes.join(' '),
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  async finish(input: CallbackInput): Promise<ProviderIdentity> {
    const as = await this.discover();
    const client = this.client();
    const params = checkResponse(as, client, input);

    const secret = await this.options.clientSecret();
    const auth = secret === undefined ? oauth.None() : oauth.ClientSecretBasic(secret);
    let response: Response;
    try {
      response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth,
        params,
        input.redirectUri,
        input.codeVerifier,
        this.http(),
      );
    } catch (cause) {
      throw new OAuthFlowError('provider_error', 'The token request failed.', { cause });
    }
    let tokens: oauth.TokenEndpointResponse;
    try {
      tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: input.nonce,
        requireIdToken: true,
      });
    } catch (cause) {
      if (cause instanceof oauth.ResponseBodyError || cause instanceof oauth.WWWAuthenticateChallengeError) {
        throw new OAuthFlowError('provider_error', 'The provider refused the code.', { cause });
      }
      throw new OAuthFlowError('invalid_id_token', 'The ID token failed validation.', { cause });
    }
    try {
      // oauth4webapi may skip the signature for a token that came over TLS from the token endpoint; we never do (S36).
      await oauth.validateApplicationLevelSignature(as, response, this.http());
    } catch (cause) {
      throw new OAuthFlowError('invalid_id_token', 'The ID token signature is invalid.', { cause });
    }
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    // An ID token for several audiences was minted for someone else too; we accept only our own (S36).
    if (Array.isArray(claims.aud) && (claims.aud.length !== 1 || claims.aud[0] !== this.config.clientId)) {
      throw new OAuthFlowError('invalid_id_token', 'The ID token has untrusted extra audiences.');
    }
    if (claims.iat < input.notBefore - this.options.clockToleranceSeconds) {
      throw new OAuthFlowError('invalid_id_token', 'The ID token was issued before this sign-in started.');
    }

    let source: Record<string, unknown> = claims;
    if (typeof claims['email'] !== 'string') {
      // Many providers put profile claims only in UserInfo when an access token is issued (OIDC Core 5.4).
      try {
        const res = await oauth.userInfoRequest(as, client, tokens.access_token, this.http());
        source = await oauth.processUserInfoResponse(as, client, claims.sub, res);
      } catch (cause) {
        throw new OAuthFlowError('provider_error', 'The UserInfo request failed.', { cause });
      }
    }
    const email = typeof source['email'] === 'string' ? source['email'] : undefined;
    const emailVerified = this.config.emailVerifiedClaims.some((c) => source[c] === true);
    return { issuer: as.issuer, subject: claims.sub, email, emailVerified };
  }

  private client(): oauth.Client {
    return { client_id: this.config.clientId, [oauth.clockTolerance]: this.options.clockToleranceSeconds };
  }

  private http() {
    return {
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      ...(this.options.allowInsecure ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }

  /** Discovery once per container; a failed attempt is forgotten so the next request retries. */
  private discover(): Promise<oauth.AuthorizationServer> {
    this.metadata ??= (async () => {
      const issuer = new URL(this.config.issuer);
      const res = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...this.http() });
      return oauth.processDiscoveryResponse(issuer, res);
    })().catch((cause: unknown) => {
      this.metadata = undefined;
      throw new OAuthFlowError('provider_error', 'The provider metadata could not be loaded.', { cause });
    });
    return this.metadata;
  }
}

/**
 * The authorization response: a present `iss` must be the issuer the request went to, and a provider that
 * announces RFC 9207 support must send it (S37); then the provider's own error, if any.
 */
export function checkResponse(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  input: CallbackInput,
): URLSearchParams {
  const iss = input.params.get('iss');
  if (
    (iss !== null && iss !== as.issuer) ||
    (iss === null && as.authorization_response_iss_parameter_supported === true)
  ) {
    throw new OAuthFlowError('issuer_mismatch', 'The response came from another issuer.');
  }
  try {
    return oauth.validateAuthResponse(as, client, input.params, input.expectedState);
  } catch (cause) {
    if (cause instanceof oauth.AuthorizationResponseError) {
      throw new OAuthFlowError(
        cause.error === 'access_denied' ? 'access_denied' : 'provider_error',
        'The provider refused the sign-in.',
        { cause },
      );
    }
    throw new OAuthFlowError('provider_error', 'The authorization response is malformed.', { cause });
  }
}

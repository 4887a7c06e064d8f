import * as oauth from 'oauth4webapi';
import {
  OAuthFlowError,
  type AuthorizationRequest,
  type CallbackInput,
  type OAuthProviderClient,
  type ProviderIdentity,
} from '../../ports/provider-client.js';
import type { OAuthProviderConfig } from '../../domain/oauth/providers.js';
import { checkResponse, type OAuthClientOptions } from './oidc-client.js';

interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

/**
 * GitHub: plain OAuth 2.0 (no ID token, no nonce). oauth4webapi still does the code exchange with PKCE S256;
 * the subject is the numeric user id from `GET /user`, and the email is the *primary* address from
 * `GET /user/emails`, trusted as verified only when GitHub says `verified: true` (S38).
 * @example new GitHubProviderClient(resolveProvider('github', { preset: 'github', clientId, clientSecretArn }), options)
 */
export class GitHubProviderClient implements OAuthProviderClient {
  private readonly as: oauth.AuthorizationServer;

  constructor(
    readonly config: OAuthProviderConfig,
    private readonly options: OAuthClientOptions,
  ) {
    const endpoints = config.endpoints!;
    this.as = {
      issuer: config.issuer,
      authorization_endpoint: endpoints.authorization,
      token_endpoint: endpoints.token,
    };
  }

  authorizationUrl(request: AuthorizationRequest): Promise<string> {
    const url = new URL(this.as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: this.config.scopes.join(' '),
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      allow_signup: 'true',
    }).toString();
    return Promise.resolve(url.toString());
  }

  async finish(input: CallbackInput): Promise<ProviderIdentity> {
    const client: oauth.Client = { client_id: this.config.clientId };
    const params = checkResponse(this.as, client, input);
    const secret = await this.options.clientSecret();
    if (secret === undefined)
      throw new OAuthFlowError('server_error', 'The GitHub provider has no client secret configured.');
    let accessToken: string;
    try {
      const res = await oauth.authorizationCodeGrantRequest(
        this.as,
        client,
        oauth.ClientSecretPost(secret),
        params,
        input.redirectUri,
        input.codeVerifier,
        this.http(),
      );
      accessToken = (await oauth.processAuthorizationCodeResponse(this.as, client, res, { requireIdToken: false }))
        .access_token;
    } catch (cause) {
      throw new OAuthFlowError('provider_error', 'GitHub refused the code.', { cause });
    }
    const user = await this.api<{ id?: unknown }>('/user', accessToken);
    const emails = await this.api<GitHubEmail[]>('/user/emails', accessToken);
    if (typeof user.id !== 'number' && typeof user.id !== 'string')
      throw new OAuthFlowError('provider_error', 'GitHub sent no user id.');
    const primary = Array.isArray(emails)
      ? emails.find((e) => e.primary === true && typeof e.email === 'string')
      : undefined;
    return {
      issuer: this.config.issuer,
      subject: String(user.id),
      email: primary?.email as string | undefined,
      emailVerified: primary?.verified === true,
    };
  }

  private async api<T>(path: string, accessToken: string): Promise<T> {
    const base = this.config.endpoints!.api.replace(/\/$/, '');
    try {
      const res = await fetch(`${base}${path}`, {
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/vnd.github+json',
          'user-agent': 'lambda-auth',
          'x-github-api-version': '2022-11-28',
        },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      if (!res.ok) throw new Error(`GitHub API ${path} answered ${res.status}`);
      return (await res.json()) as T;
    } catch (cause) {
      throw new OAuthFlowError('provider_error', 'The GitHub API request failed.', { cause });
    }
  }

  private http() {
    return {
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      ...(this.options.allowInsecure ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }
}

/**
 * Composition of social sign-in (the oauth-authorize and oauth-callback functions only): the providers'
 * protocol clients (oauth4webapi), their client secrets from Secrets Manager, and the OAuth transaction store.
 * Kept apart from composition.ts so no other function bundles the OAuth code.
 */
import { awsClientConfig } from '../adapters/aws-client-config.js';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoOAuthTransactionStore } from '../adapters/dynamo/oauth-transaction-store.js';
import { GitHubProviderClient } from '../adapters/oauth/github-client.js';
import { OidcProviderClient } from '../adapters/oauth/oidc-client.js';
import { getDoc, signInDeps } from './handlers.js';
import { getConfig, lazy, once } from './config.js';
import { required } from '../config/config.js';
import type { OAuthProviderClient } from '../ports/provider-client.js';
import { resolveProviders } from '../domain/oauth/providers.js';
import type { OAuthDeps } from '../domain/oauth/sign-in.js';
import { isDependencyFailure } from '../http/dependency-failure.js';

const getSecrets = /* @__PURE__ */ once(() => new SecretsManagerClient(awsClientConfig('secretsManager')));

export const getOAuthTransactionStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoOAuthTransactionStore(getDoc(), required(getConfig().EPHEMERAL_TABLE, 'EPHEMERAL_TABLE'))),
);

/** A client secret named by ARN is read once per container (AWSCURRENT), never put in the environment. */
const secretCache = new Map<string, Promise<string>>();
function readSecret(arn: string): Promise<string> {
  let value = secretCache.get(arn);
  if (!value) {
    value = getSecrets()
      .send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))
      .then((out) => {
        if (!out.SecretString) throw new Error('OAuth client secret is empty');
        return out.SecretString.trim();
      });
    value.catch(() => secretCache.delete(arn));
    secretCache.set(arn, value);
  }
  return value;
}

export const getOAuthProviders = /* @__PURE__ */ once((): Record<string, OAuthProviderClient> => {
  const c = getConfig();
  const clients: Record<string, OAuthProviderClient> = {};
  for (const [name, p] of Object.entries(resolveProviders(c.OAUTH_PROVIDERS))) {
    const options = {
      allowInsecure: c.OAUTH_ALLOW_INSECURE_ISSUER,
      clockToleranceSeconds: c.CLOCK_TOLERANCE_SECONDS,
      clientSecret: async () => (p.clientSecretArn ? readSecret(p.clientSecretArn) : p.clientSecret),
    };
    clients[name] = p.kind === 'github' ? new GitHubProviderClient(p, options) : new OidcProviderClient(p, options);
  }
  return clients;
});

export function oauthDeps(): OAuthDeps {
  const c = getConfig();
  const providers = getOAuthProviders();
  return {
    ...signInDeps(),
    transactions: getOAuthTransactionStore(),
    provider: (name) => (Object.hasOwn(providers, name) ? providers[name] : undefined),
    callbackUrl: (name) => `${c.ISSUER}/auth/oauth/${encodeURIComponent(name)}/callback`,
    allowedRedirectOrigins: c.ALLOWED_REDIRECT_ORIGINS,
    transactionTtlSeconds: c.OAUTH_TRANSACTION_TTL_SECONDS,
    isUnavailable: (e) => isDependencyFailure(e),
  };
}

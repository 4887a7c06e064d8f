/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (an esbuild alias, `functionBundling`): the credential
 * provider every AWS SDK v3 client falls back to when it is given none. Lambda hands a function its role's
 * credentials in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, and the default chain's first
 * link, `fromEnv`, is what answers there; the rest of the chain (SSO, shared ini files, `credential_process`, web
 * identity, ECS/IMDS, and the STS, SSO and sign-in clients behind them, ~140 KB minified) is never reached in
 * Lambda, so the bundles leave it out. Same provider, same result, same error when the variables are missing:
 * `CredentialsProviderError: Unable to find environment variable credentials.`
 *
 * Tests and the local runner run the source, not a bundle: they keep the SDK's own default chain (and sign with
 * static credentials wherever they talk to DynamoDB Local, `shared/adapters/dynamo/client.ts`).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** `defaultProvider(init)` of `@aws-sdk/credential-provider-node`, reduced to its environment link. */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);

/**
 * The Lambda authorizer: wiring only; the checks live in shared/authorizer/authorizer.ts. No AWS SDK, public keys
 * only, from the JWKS over HTTPS (S44). The API-key path (DynamoDB) is a module of its own, imported on the first
 * well-formed `lak_…` key: the JWT path never loads it (S78).
 */
import { JwksKeySource } from '../../shared/adapters/jwks-key-source.js';
import { createAuthorizer, requirementsWith, type AuthorizerDeps } from '../../shared/authorizer/authorizer.js';
import { parseRoutePolicies } from '../../shared/routing/route-policies.js';
import { loadVerifierConfig } from '../../shared/config/verifier-config.js';
import { AccessTokenVerifier, SUPPORTED_ALGORITHMS } from '../../shared/domain/verify-access-token.js';
import type * as ApiKeyPathModule from './api-key-path.js';

/** Resolved at run time, beside this module: `api-key-path.ts` from source, `api-key-path.js` in the bundle. */
const API_KEY_PATH: string = './api-key-path.js';

/** Composition root: built once per container, at cold start. */
function defaultDeps(): AuthorizerDeps {
  const config = loadVerifierConfig(process.env);
  const keys = new JwksKeySource({
    url: config.JWKS_URL,
    cooldownSeconds: config.JWKS_COOLDOWN_SECONDS,
    cacheSeconds: config.JWKS_CACHE_SECONDS,
  });
  const verifier = new AccessTokenVerifier(keys, {
    issuer: config.ISSUER,
    audience: config.AUDIENCE,
    // Not [SIGNING_ALG]: each token verifies with the algorithm its key declares, so the ring may hold keys of an
    // old and a new algorithm across a switch (S56). `none`, HMAC and anything unlisted stay refused.
    algorithms: SUPPORTED_ALGORITHMS,
    clockToleranceSeconds: config.CLOCK_TOLERANCE_SECONDS,
  });
  // Our own routes' requirements come from the route table; other teams' routes from ROUTE_POLICIES, which the
  // construct's `protectRoute` writes. A route key in neither needs any valid token.
  return {
    verifier,
    requirements: requirementsWith(parseRoutePolicies(process.env.ROUTE_POLICIES)),
    // Only where the stack gives this function the API-key table; a specifier esbuild does not follow, so the
    // module stays out of index.mjs (the build writes it beside it: infra/bundling/bundling.ts).
    ...(process.env.API_KEYS_TABLE
      ? { apiKeys: async () => ((await import(API_KEY_PATH)) as typeof ApiKeyPathModule).createDefaultApiKeyPath() }
      : {}),
  };
}

export const handler = createAuthorizer(defaultDeps());

/**
 * The Lambda authorizer: authenticates the Bearer access token (401 on any failure) and, for HTTP API
 * routes in our route table, checks the route's roles and scopes (403 when they are not met).
 *
 * It imports no AWS SDK and reads public keys only, from the JWKS over HTTPS (S44): a tiny bundle, and
 * no IAM access to the private ring.
 *
 * Events:
 * - HTTP API `REQUEST`, payload 2.0, **simple responses** (`enableSimpleResponses: true`): returns
 *   `{ isAuthorized, context }`.
 * - REST API `TOKEN` and `REQUEST` (payload 1.0): returns an IAM policy for `methodArn`. The route table
 *   describes our HTTP API only, so REST methods get no role/scope check here: a valid token is allowed
 *   and the protected Lambda enforces roles with `requireRole`/`requireScope`. With REST authorizer
 *   caching, the cached policy covers this `methodArn` only (other methods get 403 until it expires):
 *   disable caching or key it on the method too.
 *
 * The token is read from the `Authorization` header only, never from the query string (S18) and never
 * from `identitySource`: that list holds whatever the operator configured (it may be a query string, or
 * `$context.routeKey` next to the header) so its first entry is not necessarily our header.
 *
 * Caching (S20): the decision depends on the route, so the HTTP API authorizer cache must be keyed on
 * the header **and** `$context.routeKey`, or be off; a cache keyed on the header alone would replay one
 * route's "allowed" on a route that needs a role the caller lacks.
 */
import type {
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { encodeAuthContext, hasAllScopes, hasAnyRole, type AuthorizerContext } from './auth-context.js';
import { AccessTokenVerifier, TokenVerificationError, type AccessTokenClaims } from '../domain/verify-access-token.js';
import { bearerToken, deny, headerValue, isVisibleAscii } from './bearer-header.js';
import { securityEvent } from '../observability/log.js';
import { routeRequirements, type RouteDefinition } from '../routing/routes.js';
import { checkStepUp } from './step-up.js';
import { isWellFormedApiKey, looksLikeApiKey } from '../domain/api-keys/format.js';
import { certificateThumbprint } from './certificate-binding.js';
import type { ApiKeyAuthenticator, ApiKeyRefusedError } from './api-key-path.js';

export type RouteRequirements = NonNullable<RouteDefinition['auth']>;

export interface AuthorizerDeps {
  verifier: Pick<AccessTokenVerifier, 'verify'>;
  /** Requirements of an HTTP API route key (`GET /auth/me`); undefined = any valid token. @default routeRequirements */
  requirements?: (routeKey: string | undefined) => RouteRequirements | undefined;
  /** Epoch seconds, for `maxAuthAgeSeconds`. @default the system clock */
  now?: () => number;
  /**
   * The API-key path (S77), loaded on the first well-formed `lak_…` key, so that a JWT request never loads it.
   * Absent: API keys are refused (401) like any other unknown credential.
   */
  apiKeys?: () => Promise<ApiKeyAuthenticator>;
}

export interface HttpApiAuthorizerResult {
  isAuthorized: boolean;
  /** The verified identity; or, on an enrolment route given an `mfaToken`, only `{ mfa_enrolment: 'true' }`. */
  context?: AuthorizerContext | { [ENROLMENT_CONTEXT]: 'true' };
}

export interface RestAuthorizerResult {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: [{ Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }];
  };
  context: AuthorizerContext;
}

export type RestAuthorizerEvent = APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent;

export interface Authorizer {
  (event: APIGatewayRequestAuthorizerEventV2): Promise<HttpApiAuthorizerResult>;
  (event: RestAuthorizerEvent): Promise<RestAuthorizerResult>;
}

/** An `mfaToken` (`mfa_` + 256 random bits, base64url): the shape an enrolment route lets through to its function. */
const MFA_TOKEN = /^mfa_[A-Za-z0-9_-]{43}$/;
/** The context of a request that carries an enrolment `mfaToken` instead of an access token (no identity yet). */
export const ENROLMENT_CONTEXT = 'mfa_enrolment';
const NONE: readonly string[] = Object.freeze([]); // what a route without roles or scopes asks for

/** Loads the API-key path once per container; a failed load is retried by the next key. */
function apiKeyLoader(deps: AuthorizerDeps): (() => Promise<ApiKeyAuthenticator>) | undefined {
  const load = deps.apiKeys;
  if (!load) return undefined;
  let loading: Promise<ApiKeyAuthenticator> | undefined;
  return () =>
    (loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    }));
}

async function authenticateApiKey(
  load: (() => Promise<ApiKeyAuthenticator>) | undefined,
  key: string,
): Promise<AccessTokenClaims & { apiKeyId?: string }> {
  // The type prefix and checksum are checked here, with no I/O and before the API-key path is even loaded: a typo,
  // a truncated paste or a guessed key costs no DynamoDB read (S77).
  if (!isWellFormedApiKey(key)) {
    securityEvent('api_key_refused', { reason: 'malformed_api_key' });
    throw deny('malformed_api_key');
  }
  if (!load) throw deny('unknown_api_key');
  try {
    return await (
      await load()
    )(key);
  } catch (e) {
    const reason =
      e instanceof Error && e.name === 'ApiKeyRefusedError' ? (e as ApiKeyRefusedError).reason : 'internal';
    if (reason !== 'api_keys_unavailable' && reason !== 'internal') securityEvent('api_key_refused', { reason });
    throw deny(reason, e);
  }
}

async function authenticate(
  deps: AuthorizerDeps,
  apiKeys: (() => Promise<ApiKeyAuthenticator>) | undefined,
  token: string,
): Promise<AccessTokenClaims & { apiKeyId?: string }> {
  // Our verifier refuses anything but three base64url segments before any lookup, stricter than visible ASCII: for it,
  // the scan only names the reason of a refusal. Any other verifier (tests, wrappers) is given visible ASCII only.
  const strict = deps.verifier instanceof AccessTokenVerifier;
  if ((!strict || looksLikeApiKey(token)) && !isVisibleAscii(token)) throw deny('malformed_header');
  if (looksLikeApiKey(token)) return authenticateApiKey(apiKeys, token);
  try {
    return await deps.verifier.verify(token);
  } catch (e) {
    if (!isVisibleAscii(token)) throw deny('malformed_header');
    throw deny(e instanceof TokenVerificationError ? e.reason : 'internal', e);
  }
}

/**
 * A certificate-bound token (RFC 8705 §3, `cnf.x5t#S256`) is only good over a connection that presented that very
 * certificate; API Gateway passes the client certificate of a mutual-TLS custom domain in the request context.
 */
function checkCertificateBinding(claims: AccessTokenClaims, clientCertPem: unknown): void {
  if (claims.certificateThumbprint === undefined) return;
  const presented = typeof clientCertPem === 'string' ? certificateThumbprint(clientCertPem) : undefined;
  if (presented === undefined || presented !== claims.certificateThumbprint) {
    throw deny('certificate_mismatch');
  }
}

function isHttpApiEvent(event: unknown): event is APIGatewayRequestAuthorizerEventV2 {
  const e = event as Partial<APIGatewayRequestAuthorizerEventV2>;
  return e.version === '2.0' && e.type === 'REQUEST';
}

/**
 * Builds the authorizer around a verifier. Tests pass their own; Lambda uses `handler`.
 * @example const authorize = createAuthorizer({ verifier: new AccessTokenVerifier(keys, options) });
 */
export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
  const requirementsOf = deps.requirements ?? routeRequirements;
  const apiKeys = apiKeyLoader(deps);
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));

  async function authorize(event: unknown): Promise<HttpApiAuthorizerResult | RestAuthorizerResult> {
    if (typeof event !== 'object' || event === null) throw deny('unsupported_event');

    if (isHttpApiEvent(event)) {
      const token = bearerToken(headerValue(event.headers));
      const required = requirementsOf(event.routeKey);
      // MFA_POLICY=required: the two enrolment routes redeem an mfaToken themselves (S59). Nothing is known of the
      // caller here, so the context says only that; every other route refuses the token as not a JWT.
      if (required?.enrolmentToken === true && MFA_TOKEN.test(token)) {
        return { isAuthorized: true, context: { [ENROLMENT_CONTEXT]: 'true' } };
      }
      const claims = await authenticate(deps, apiKeys, token);
      checkCertificateBinding(
        claims,
        (event.requestContext as { authentication?: { clientCert?: { clientCertPem?: unknown } | null } | null })
          .authentication?.clientCert?.clientCertPem,
      );
      // A machine client's token (sub = client_id) has no account behind it: on this backend's own routes it may only
      // use what asks for scopes, never the account routes (`auth: {}`), where it would act as a user it is not.
      const machineOnOwnRoute = claims.clientId !== undefined && routeRequirements(event.routeKey) !== undefined;
      if (machineOnOwnRoute && !required?.scopes?.length) {
        securityEvent('authorizer_deny', { reason: 'machine_client', routeKey: event.routeKey, sub: claims.sub });
        return { isAuthorized: false };
      }
      // Authenticated but not allowed here: 403, not 401 (the authn/authz line).
      if (!hasAnyRole(claims, required?.roles ?? NONE) || !hasAllScopes(claims, required?.scopes ?? NONE)) {
        securityEvent('authorizer_deny', {
          reason: 'insufficient_privilege',
          routeKey: event.routeKey,
          sub: claims.sub,
        });
        return { isAuthorized: false };
      }
      // Step-up (S65) is decided from the token alone, so the edge still makes no AWS call; 403, as a role would be.
      const stepUp = checkStepUp(claims, required, now());
      if (!stepUp.ok) {
        securityEvent('authorizer_deny', { reason: stepUp.reason, routeKey: event.routeKey, sub: claims.sub });
        return { isAuthorized: false };
      }
      return { isAuthorized: true, context: encodeAuthContext(claims) };
    }

    const rest = event as {
      type?: unknown;
      methodArn?: unknown;
      authorizationToken?: unknown;
      headers?: APIGatewayRequestAuthorizerEvent['headers'];
      requestContext?: { identity?: { clientCert?: { clientCertPem?: unknown } | null } };
    };
    if ((rest.type === 'TOKEN' || rest.type === 'REQUEST') && typeof rest.methodArn === 'string') {
      const header = rest.type === 'TOKEN' ? rest.authorizationToken : headerValue(rest.headers);
      const claims = await authenticate(deps, apiKeys, bearerToken(header));
      // A TOKEN event carries no certificate, so a certificate-bound token is refused there.
      checkCertificateBinding(claims, rest.requestContext?.identity?.clientCert?.clientCertPem);
      return {
        principalId: claims.sub,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: rest.methodArn }],
        },
        context: encodeAuthContext(claims),
      };
    }

    throw deny('unsupported_event');
  }

  return authorize as Authorizer;
}

/** Requirements of a route key: our route table first, then the policies other teams' routes declared. */
export const requirementsWith =
  (policies: Record<string, RouteRequirements>) =>
  (key: string | undefined): RouteRequirements | undefined =>
    routeRequirements(key) ?? (key === undefined ? undefined : policies[key]);

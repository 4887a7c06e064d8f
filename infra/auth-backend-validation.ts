/**
 * The defaults of `AuthBackendProps` and their validation: a value the functions' config (`shared/config/config.ts`)
 * would refuse at cold start fails synth instead, naming the property.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { BOUNDS, withinBounds } from '../shared/config/bounds.js';
import { isOrigin } from '../shared/config/origin.js';
import { oauthProviderSchema, PROVIDER_NAME } from '../shared/domain/oauth/providers.js';
import {
  MANAGED_ENV,
  MAX_ACCESS_TOKEN_TTL,
  type AuthBackendOAuthProvider,
  type AuthBackendProps,
} from './auth-backend-props.js';
import { authorizerCacheSecondsDefault, MTLS_AUTHORIZER_CACHE_REFUSAL } from './function-environment.js';

/** An absolute SSM parameter path without a trailing slash (SSM allows a-zA-Z0-9_.- and `/` in names). */
const PARAMETER_PREFIX = /^(\/[a-zA-Z0-9_.-]+)+$/;

/** The props with their defaults applied and checked. */
export interface Settings {
  corsOrigins: string[];
  accessTokenTtl: Duration;
  refreshReuseGrace: Duration;
  passwordMinLength: number;
  authorizerCacheTtl: Duration;
  keyRotationInterval: Duration;
  oauthProviders: Record<string, AuthBackendOAuthProvider>;
  allowedRedirectOrigins: string[];
}

/**
 * Applies the defaults and fails synth, naming the property, on a value the functions' config (`shared/config/config.ts`)
 * would refuse at cold start.
 */
export function resolveSettings(props: AuthBackendProps): Settings {
  const s: Settings = {
    corsOrigins: props.corsOrigins ?? [],
    accessTokenTtl: props.accessTokenTtl ?? MAX_ACCESS_TOKEN_TTL,
    refreshReuseGrace: props.refreshReuseGrace ?? Duration.seconds(0),
    passwordMinLength: props.passwordMinLength ?? BOUNDS.PASSWORD_MIN_LENGTH[0],
    authorizerCacheTtl: props.authorizerCacheTtl ?? Duration.seconds(authorizerCacheSecondsDefault(!!props.mutualTls)),
    keyRotationInterval: props.keyRotationInterval ?? Duration.days(30),
    oauthProviders: props.oauthProviders ?? {},
    allowedRedirectOrigins: props.allowedRedirectOrigins ?? props.corsOrigins ?? [],
  };
  const fail = (message: string): never => {
    throw new Error(`AuthBackend: ${message}`);
  };
  for (const origin of s.corsOrigins) {
    if (!isOrigin(origin))
      fail(
        `corsOrigins: "${origin}" is not an origin like https://app.example.com (no path, no trailing slash, never "*")`,
      );
  }
  const ttl = s.accessTokenTtl.toSeconds();
  const [, ttlMin, ttlMax] = BOUNDS.ACCESS_TOKEN_TTL_SECONDS;
  if (!withinBounds('ACCESS_TOKEN_TTL_SECONDS', ttl))
    fail(`accessTokenTtl must be between ${ttlMin / 60} and ${ttlMax / 60} minutes, got ${ttl} s`);
  const grace = s.refreshReuseGrace.toSeconds();
  const [, graceMin, graceMax] = BOUNDS.REFRESH_REUSE_GRACE_SECONDS;
  if (!withinBounds('REFRESH_REUSE_GRACE_SECONDS', grace))
    fail(`refreshReuseGrace must be between ${graceMin} and ${graceMax} seconds (S24), got ${grace} s`);
  if (!withinBounds('PASSWORD_MIN_LENGTH', s.passwordMinLength)) {
    const [, min, max] = BOUNDS.PASSWORD_MIN_LENGTH;
    fail(`passwordMinLength must be an integer from ${min} to ${max}, got ${s.passwordMinLength}`);
  }
  const cache = s.authorizerCacheTtl.toSeconds();
  if (cache < 0 || cache > ttl) fail(`authorizerCacheTtl (${cache} s) must not exceed accessTokenTtl (${ttl} s) (S20)`);
  if (props.mutualTls && cache > 0) fail(`authorizerCacheTtl (${cache} s) ${MTLS_AUTHORIZER_CACHE_REFUSAL}`);
  if (
    props.issuer !== undefined &&
    !Token.isUnresolved(props.issuer) &&
    !/^https:\/\/[^/]+(\/.*[^/])?$/.test(props.issuer)
  ) {
    fail(`issuer must be an https URL without a trailing slash, got "${props.issuer}"`);
  }
  if (props.environment && 'OAUTH_ALLOW_INSECURE_ISSUER' in props.environment) {
    fail(
      'OAUTH_ALLOW_INSECURE_ISSUER is for local development and tests only: a deployed stack talks to https issuers only',
    );
  }
  validateOAuth(s, fail);
  const overridden = Object.keys(props.environment ?? {}).filter((k) => MANAGED_ENV.has(k));
  if (overridden.length) fail(`environment may not set ${overridden.join(', ')}: use the matching property, if any`);
  if (props.audience !== undefined && props.audience.trim() === '') fail('audience must not be empty');
  if (
    props.parameterPrefix !== undefined &&
    !Token.isUnresolved(props.parameterPrefix) &&
    !PARAMETER_PREFIX.test(props.parameterPrefix)
  ) {
    fail(
      `parameterPrefix must be an absolute SSM path like /team/auth (letters, digits, _.-/, no trailing slash), got "${props.parameterPrefix}"`,
    );
  }
  if (
    props.mailFrom !== undefined &&
    !Token.isUnresolved(props.mailFrom) &&
    !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.mailFrom)
  ) {
    fail(`mailFrom must be an email address, got "${props.mailFrom}"`);
  }
  return s;
}

function validateOAuth(s: Settings, fail: (message: string) => never): void {
  for (const origin of s.allowedRedirectOrigins) {
    if (!isOrigin(origin, { https: true }))
      fail(`allowedRedirectOrigins: "${origin}" is not an https origin like https://app.example.com`);
  }
  for (const [name, p] of Object.entries(s.oauthProviders)) {
    if (!PROVIDER_NAME.test(name)) fail(`oauthProviders: "${name}" must be lower-case letters, digits and dashes`);
    const raw = p as unknown as Record<string, unknown>;
    if ('clientSecret' in raw)
      fail(
        `oauthProviders.${name}: give clientSecretArn (a Secrets Manager ARN), never clientSecret: it would be plain text in the template`,
      );
    if ('endpoints' in raw) fail(`oauthProviders.${name}: endpoints overrides are for tests only`);
    const parsed = oauthProviderSchema.safeParse(p);
    if (!parsed.success)
      fail(
        `oauthProviders.${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'provider'} ${i.message}`).join('; ')}`,
      );
    if (p.issuer !== undefined && !Token.isUnresolved(p.issuer) && !p.issuer.startsWith('https://')) {
      fail(`oauthProviders.${name}: issuer must be https (http issuers are for local development only)`);
    }
  }
}

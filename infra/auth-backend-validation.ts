/**
 * The defaults of `AuthBackendProps` and their validation: a value the functions' config (`shared/config/config.ts`)
 * would refuse at cold start fails synth instead, naming the property.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { oauthProviderSchema, PROVIDER_NAME } from '../shared/domain/oauth/providers.js';
import {
  MANAGED_ENV,
  MAX_ACCESS_TOKEN_TTL,
  type AuthBackendOAuthProvider,
  type AuthBackendProps,
} from './auth-backend-props.js';

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
    passwordMinLength: props.passwordMinLength ?? 15,
    authorizerCacheTtl: props.authorizerCacheTtl ?? Duration.seconds(60),
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
  if (ttl < 60 || ttl > MAX_ACCESS_TOKEN_TTL.toSeconds())
    fail(`accessTokenTtl must be between 1 and 15 minutes, got ${ttl} s`);
  const grace = s.refreshReuseGrace.toSeconds();
  if (grace < 0 || grace > 60) fail(`refreshReuseGrace must be between 0 and 60 seconds (S24), got ${grace} s`);
  if (!Number.isInteger(s.passwordMinLength) || s.passwordMinLength < 8 || s.passwordMinLength > 64) {
    fail(`passwordMinLength must be an integer from 8 to 64, got ${s.passwordMinLength}`);
  }
  const cache = s.authorizerCacheTtl.toSeconds();
  if (cache < 0 || cache > ttl) fail(`authorizerCacheTtl (${cache} s) must not exceed accessTokenTtl (${ttl} s) (S20)`);
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
    if (!isOrigin(origin) || !origin.startsWith('https://'))
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

/** True for an origin like https://app.example.com: no path, no trailing slash, never "*". */
function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

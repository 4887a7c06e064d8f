/**
 * The public props of `AuthBackend`. Their defaults and validation are in `auth-backend-validation.ts`: a value the
 * functions' config (`shared/config/config.ts`) would refuse at cold start fails synth instead, naming the property.
 */
import { BOUNDS } from '../shared/config/bounds.js';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { TABLES } from '../shared/adapters/dynamo/tables.js';
import type { AuthMutualTlsProps } from './constructs/mutual-tls.js';
import type { Preset } from '../shared/domain/oauth/providers.js';

export const MAX_ACCESS_TOKEN_TTL = Duration.seconds(BOUNDS.ACCESS_TOKEN_TTL_SECONDS[2]);

/** Environment variables the construct owns (or forbids); `environment` may not set them. */
export const MANAGED_ENV = new Set([
  // Written by protectRoute: the roles/scopes other teams' routes require.
  'ROUTE_POLICIES',
  'ISSUER',
  'AUDIENCE',
  // Written from `mutualTls`.
  'MTLS_ENDPOINT',
  'ACCESS_TOKEN_TTL_SECONDS',
  'REFRESH_REUSE_GRACE_SECONDS',
  'CORS_ORIGINS',
  'PASSWORD_MIN_LENGTH',
  'KEY_RING_SECRET_ID',
  'PUBLIC_KEYS_SECRET_ID',
  'JWKS_URL',
  'NODE_OPTIONS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  ...TABLES.map((t) => t.envVar),
  // Local-runner switches: in AWS they would swap Secrets Manager for a key file or DynamoDB for another endpoint.
  'KEY_RING_FILE',
  'DYNAMODB_ENDPOINT',
  // Social sign-in: set from `oauthProviders` / `allowedRedirectOrigins`; the insecure switch is local-only.
  'OAUTH_PROVIDERS',
  'OAUTH_ALLOW_INSECURE_ISSUER',
  'ALLOWED_REDIRECT_ORIGINS',
  // Mail: set from `mailFrom` / `sesConfigurationSet`; MAILER=outbox would send nothing in AWS.
  'MAILER',
  'MAIL_FROM',
  'SES_CONFIGURATION_SET',
]);

/** One social sign-in provider of the deployed stack (see README, "Social sign-in"). */
export interface AuthBackendOAuthProvider {
  /**
   * The https issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`.
   * @default - the preset's issuer
   */
  readonly issuer?: string;
  readonly clientId: string;
  /**
   * ARN of a Secrets Manager secret whose value is the client secret; the callback function gets read access to it.
   * There is deliberately no way to give the secret itself: it would sit in the template as plain text.
   * @default - a public client (PKCE only)
   */
  readonly clientSecretArn?: string;
  /** @default - the preset's scopes, or openid email profile */
  readonly scopes?: string[];
  /** @default - any OpenID Connect provider, by discovery */
  readonly preset?: Preset;
  /** Microsoft Entra ID: the tenant id (GUID) or `consumers`. @default - none */
  readonly tenant?: string;
}

export interface AuthBackendProps {
  /**
   * The token issuer (`iss`), an https URL without a trailing slash. Verifiers fetch `${issuer}/.well-known/jwks.json`,
   * so a custom issuer must route to this API (e.g. a custom domain mapped to it).
   * @default - the HTTP API's execute-api endpoint URL
   */
  readonly issuer?: string;

  /**
   * The access-token audience (`aud`).
   * @default - the issuer
   */
  readonly audience?: string;

  /**
   * Browser origins allowed by CORS, with credentials (`https://app.example.com`: no path, no trailing slash).
   * `*` is refused: credentials are never shared with any origin.
   * @default - no CORS: browsers can only call the API from its own origin
   */
  readonly corsOrigins?: string[];

  /**
   * Access-token lifetime, at most 15 minutes: it is the window in which a revoked session's token still works.
   * @default Duration.minutes(15)
   */
  readonly accessTokenTtl?: Duration;

  /**
   * How long a just-rotated refresh token may be presented again (a client's own concurrent retry) before it
   * counts as reuse. At most 60 seconds (S24).
   * @default Duration.seconds(0) - no grace: any reuse revokes the family
   */
  readonly refreshReuseGrace?: Duration;

  /**
   * Minimum password length, 8 to 64 (NIST 800-63B-4 asks 15 for password-only accounts).
   * @default 15
   */
  readonly passwordMinLength?: number;

  /**
   * How long API Gateway caches an authorizer decision, per token and route (S20). At most the access-token
   * lifetime: a cached allow must not outlive the token's own `exp`. `Duration.seconds(0)` disables caching. With
   * `mutualTls` it must be 0: the cache is keyed by Authorization and route key only, so a cached allow of a
   * certificate-bound token would serve a request without its certificate (S78); API keys still cost at most one
   * read per key per 60 s (the authorizer's own cache).
   * @default Duration.seconds(60), or Duration.seconds(0) with `mutualTls`
   */
  readonly authorizerCacheTtl?: Duration;

  /**
   * How often the signing key ring rotates (4 hours to 1000 days). Each rotation promotes `next` to `current`,
   * so a key is published one full interval before it signs (S45).
   * @default Duration.days(30)
   */
  readonly keyRotationInterval?: Duration;

  /**
   * Default route throttling of the API stage (per account and region, across all clients).
   * @default - { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ThrottleSettings;

  /**
   * Tighter throttling of the public credential-accepting writes (`POST /auth/*` routes without the authorizer:
   * signup, login, refresh, logout, …), which are what credential stuffing and sign-up abuse hit. API Gateway
   * limits are per account and region, not per client: per-account and per-IP limits in the functions do the rest.
   * @default - { rateLimit: 20, burstLimit: 40 }
   */
  readonly authWriteThrottle?: ThrottleSettings;

  /**
   * SNS topic notified by the security alarms (refresh-token reuse, sign-in failure spikes, lockouts).
   * @default - alarms are created without actions
   */
  readonly alarmTopic?: ITopic;

  /**
   * Failed sign-ins in 5 minutes that raise the failure-spike alarm.
   * @default 100
   */
  readonly loginFailureAlarmThreshold?: number;

  /**
   * Authorizer denies (401 and 403) in 5 minutes that raise the deny-burst alarm.
   * @default 50
   */
  readonly authorizerDenyAlarmThreshold?: number;

  /**
   * Retention of the function and access log groups.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * What happens to the tables, secrets and log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Extra configuration for every function (see `shared/config/config.ts`), e.g. `{ REFRESH_IDLE_TTL_SECONDS: '86400' }`.
   * Never put a secret here: environment variables are plain text in the template and the console. Variables
   * the construct sets itself (issuer, table names, secret ids, …) cannot be overridden.
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Social sign-in providers by name (the `{provider}` of `/auth/oauth/{provider}/authorize`), e.g.
   * `{ google: { preset: 'google', clientId, clientSecretArn } }`.
   * @default - no social sign-in
   */
  readonly oauthProviders?: Record<string, AuthBackendOAuthProvider>;

  /**
   * Exact origins the browser may be sent back to after social sign-in (`redirectTo`, S39).
   * @default - the CORS origins
   */
  readonly allowedRedirectOrigins?: string[];

  /**
   * Sender of the email flows' mails (magic links, verification, password reset), e.g. `no-reply@example.com`.
   * Its domain (or the address itself) must be a verified SES identity in the stack's region; the mail functions
   * may send only from that identity. Without it, mail cannot be sent: magic-link requests answer `503
   * mail_unavailable` and the other flows log the failure.
   * @default - no mail
   */
  readonly mailFrom?: string;

  /**
   * The SES identity `ses:SendEmail` is granted on: a domain (`example.com`) or an address.
   * @default - the domain of `mailFrom`
   */
  readonly sesIdentity?: string;

  /**
   * An SES configuration set for delivery, bounce and complaint events.
   * @default - none
   */
  readonly sesConfigurationSet?: string;

  /**
   * Where the stack publishes what another CDK app needs to accept these access tokens, as SSM String parameters:
   * `<prefix>/authorizer-function-arn`, `<prefix>/issuer` and `<prefix>/jwks-url`. An absolute SSM path
   * (`/team/auth`), without a trailing slash; give each backend in one account and region its own prefix.
   * @default '/lambda-auth/<construct id>' (e.g. `/lambda-auth/Auth`)
   */
  readonly parameterPrefix?: string;

  /**
   * A custom domain that requires client certificates (API Gateway mutual TLS, truststore in S3), for services that
   * authenticate with `tls_client_auth` and get certificate-bound tokens (RFC 8705). The functions learn it as
   * `MTLS_ENDPOINT`.
   * @default - no mutual-TLS domain
   */
  readonly mutualTls?: AuthMutualTlsProps;
}

import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { resolveSettings, type AuthBackendProps, type Settings } from './auth-backend-props.js';
import { AuthApi, type ProtectRouteOptions } from './constructs/auth-api.js';
import { AuthFunction } from './constructs/auth-function.js';
import { SigningKeys } from './constructs/signing-keys.js';
import { AuthTables } from './constructs/tables.js';
import { FUNCTION_NAMES, FUNCTION_SPECS, type AuthFunctionName, type TableId } from './function-specs.js';
import { SecurityAlarms } from './monitoring.js';

export type { AuthBackendProps, AuthBackendOAuthProvider } from './auth-backend-props.js';
export type { ProtectRouteOptions } from './constructs/auth-api.js';

/** The SSM parameters an `AuthBackend` publishes (see `parameterPrefix`), by what they hold. */
export interface AuthBackendParameterNames {
  readonly authorizerFunctionArn: string;
  readonly issuer: string;
  readonly jwksUrl: string;
}

/**
 * The names of the SSM parameters an `AuthBackend` publishes under `prefix`: the one home of those names, for the
 * construct and for another CDK app that reads them.
 *
 * @example
 * const names = authBackendParameterNames('/lambda-auth/Auth');
 * const arn = StringParameter.valueForStringParameter(this, names.authorizerFunctionArn);
 */
export function authBackendParameterNames(prefix: string): AuthBackendParameterNames {
  return {
    authorizerFunctionArn: `${prefix}/authorizer-function-arn`,
    issuer: `${prefix}/issuer`,
    jwksUrl: `${prefix}/jwks-url`,
  };
}

/**
 * The authentication backend: DynamoDB tables, the signing key ring in Secrets Manager with its rotation,
 * one Lambda per endpoint, and an HTTP API whose routes come from `ROUTES` — protected ones behind the
 * Lambda authorizer.
 *
 * Permissions are granted per function from `infra/function-specs.ts`: only the signers and the rotation
 * function can read the private key ring, the JWKS function reads public keys only, and the authorizer has no
 * AWS permission beyond writing its logs — it fetches the public JWKS over HTTPS (S44).
 *
 * @example
 * const backend = new AuthBackend(this, 'Auth', { corsOrigins: ['https://app.example.com'] });
 * backend.protectRoute(ordersApi, { path: '/orders', methods: [HttpMethod.GET], integration: ordersIntegration });
 */
export class AuthBackend extends Construct {
  /** The HTTP API serving every route of `ROUTES`. */
  public readonly api: HttpApi;
  /** The Lambda authorizer bound to `api`. An authorizer binds to one API: for another API see `protectRoute`. */
  public readonly authorizer: HttpLambdaAuthorizer;
  /** The authorizer function, for teams that build their own authorizer object on their own API. */
  public readonly authorizerFunction: IFunction;
  /** The tables, by their id in `TABLES`. */
  public readonly tables: Readonly<Record<TableId, Table>>;
  /** The private signing key ring. Readable by the token signers and the rotation function only. */
  public readonly keyRingSecret: Secret;
  /** The public JWKS, written by the rotation function and served by the JWKS function. */
  public readonly publicKeysSecret: Secret;
  /** Every function, by name. */
  public readonly functions: Readonly<Record<AuthFunctionName, NodejsFunction>>;
  /** The token issuer the functions were configured with. */
  public readonly issuer: string;
  /** Where verifiers fetch the public keys. */
  public readonly jwksUrl: string;
  /** Alarms on refresh-token reuse and sign-in failure/lockout spikes. */
  public readonly securityAlarms: SecurityAlarms;
  /**
   * The SSM parameters another CDK app reads to attach the authorizer to its own API (`parameterPrefix`):
   * the authorizer function ARN, the issuer and the JWKS URL.
   */
  public readonly parameters: Readonly<Record<'authorizerFunctionArn' | 'issuer' | 'jwksUrl', StringParameter>>;

  private readonly authApi: AuthApi;

  constructor(scope: Construct, id: string, props: AuthBackendProps = {}) {
    super(scope, id);
    const settings = resolveSettings(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const retained = { removalPolicy, logRetention };

    // Each part creates its resources in this scope, not under a construct of its own: the logical ids of a
    // deployed stack stay what they were (a changed table or secret id would replace it on deploy).
    const tables = new AuthTables(this, { removalPolicy });
    this.tables = tables.byId;
    const signingKeys = new SigningKeys(this, { ...retained, rotationInterval: settings.keyRotationInterval });
    this.keyRingSecret = signingKeys.keyRing;
    this.publicKeysSecret = signingKeys.publicKeys;
    this.authApi = new AuthApi(this, { ...retained, corsOrigins: settings.corsOrigins, throttle: props.throttle });
    this.api = this.authApi.api;

    this.issuer = props.issuer ?? this.api.apiEndpoint;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
    const commonEnvironment: Record<string, string> = {
      ...props.environment,
      ISSUER: this.issuer,
      ...(props.audience !== undefined ? { AUDIENCE: props.audience } : {}),
      ACCESS_TOKEN_TTL_SECONDS: String(settings.accessTokenTtl.toSeconds()),
      REFRESH_REUSE_GRACE_SECONDS: String(settings.refreshReuseGrace.toSeconds()),
      CORS_ORIGINS: settings.corsOrigins.join(','),
      PASSWORD_MIN_LENGTH: String(settings.passwordMinLength),
      POWERTOOLS_SERVICE_NAME: 'auth',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ...oauthEnvironment(settings),
    };
    const mailIdentity = props.sesIdentity ?? props.mailFrom?.split('@').pop();
    const resources = {
      tables,
      signingKeys,
      jwksUrl: this.jwksUrl,
      oauthClientSecretArns: Object.values(settings.oauthProviders).flatMap((p) =>
        p.clientSecretArn ? [p.clientSecretArn] : [],
      ),
      mail:
        props.mailFrom && mailIdentity
          ? { from: props.mailFrom, identity: mailIdentity, configurationSet: props.sesConfigurationSet }
          : undefined,
    };
    const functions = {} as Record<AuthFunctionName, NodejsFunction>;
    for (const name of FUNCTION_NAMES) {
      const spec = FUNCTION_SPECS[name];
      functions[name] = new AuthFunction(this, { name, spec, commonEnvironment, resources, ...retained }).function;
    }
    this.functions = functions;
    this.authorizerFunction = functions.authorizer;
    signingKeys.bootstrapOnDeploy(functions['bootstrap-keys']);

    this.authorizer = this.authApi.addRoutes(functions, {
      authorizerCacheTtl: settings.authorizerCacheTtl,
      authWriteThrottle: props.authWriteThrottle,
    });
    this.securityAlarms = new SecurityAlarms(this, 'SecurityAlarms', {
      serviceName: commonEnvironment.POWERTOOLS_SERVICE_NAME,
      topic: props.alarmTopic,
      loginFailureThreshold: props.loginFailureAlarmThreshold,
      authorizerDenyThreshold: props.authorizerDenyAlarmThreshold,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the authentication API' });
    new CfnOutput(this, 'Issuer', { value: this.issuer, description: 'Token issuer (iss) that verifiers must expect' });
    new CfnOutput(this, 'JwksUrl', { value: this.jwksUrl, description: 'Public keys for access-token verifiers' });
    new CfnOutput(this, 'AuthorizerFunctionArn', {
      value: this.authorizerFunction.functionArn,
      description: 'The Lambda authorizer, for other APIs that accept these access tokens',
    });
    this.parameters = this.publishParameters(props.parameterPrefix ?? `/lambda-auth/${id}`);
  }

  /**
   * Adds a route to another team's HTTP API behind this backend's authorizer, creating one authorizer object for
   * that API on first use (an API Gateway authorizer binds to exactly one API).
   *
   * The authorizer authenticates (signature, `exp`, `iss`, `aud`, `typ`: 401) and enforces the `roles` and `scopes`
   * given here (403): they reach it as ROUTE_POLICIES, keyed by route key (`GET /orders/{id}`), so one route key
   * cannot carry two different policies across APIs (synth fails). Finer checks (ownership, attributes) stay in the
   * route's own Lambda, with the shared helpers `requireRole` / `requireScope`.
   *
   * @example
   * backend.protectRoute(ordersApi, { path: '/orders/{id}', methods: [HttpMethod.GET], integration, roles: ['clerk'] });
   */
  public protectRoute(api: HttpApi, options: ProtectRouteOptions): void {
    this.authApi.protectRoute(api, options);
  }

  /**
   * SSM parameters, so that a CDK app in another repository finds the authorizer without a cross-stack reference
   * (`StringParameter.valueForStringParameter`): no export ties the two stacks' lifecycles together.
   */
  private publishParameters(prefix: string): AuthBackend['parameters'] {
    const names = authBackendParameterNames(prefix);
    const parameter = (id: string, parameterName: string, stringValue: string, description: string) =>
      new StringParameter(this, id, { parameterName, stringValue, description });
    const parameters = {
      authorizerFunctionArn: parameter(
        'AuthorizerFunctionArnParameter',
        names.authorizerFunctionArn,
        this.authorizerFunction.functionArn,
        'ARN of the Lambda authorizer that verifies these access tokens',
      ),
      issuer: parameter('IssuerParameter', names.issuer, this.issuer, 'Token issuer (iss) of the access tokens'),
      jwksUrl: parameter(
        'JwksUrlParameter',
        names.jwksUrl,
        this.jwksUrl,
        'URL of the public JWKS that verifies the access tokens',
      ),
    };
    new CfnOutput(this, 'ParameterPrefix', {
      value: prefix,
      description: 'SSM path of the authorizer-function-arn, issuer and jwks-url parameters',
    });
    return parameters;
  }
}

/** The functions' view of the social sign-in props (client secrets only by ARN: never in the template). */
function oauthEnvironment(settings: Settings): Record<string, string> {
  const env: Record<string, string> = {};
  if (Object.keys(settings.oauthProviders).length) env.OAUTH_PROVIDERS = JSON.stringify(settings.oauthProviders);
  if (settings.allowedRedirectOrigins.length) env.ALLOWED_REDIRECT_ORIGINS = settings.allowedRedirectOrigins.join(',');
  return env;
}

import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { AuthBackendProps } from './auth-backend-props.js';
import { resolveSettings } from './auth-backend-validation.js';
import { AuthApi, type ProtectRouteOptions } from './constructs/auth-api.js';
import { AuthFunction } from './constructs/auth-function.js';
import { commonEnvironment } from './constructs/common-environment.js';
import { addMutualTlsDomain } from './constructs/mutual-tls.js';
import { publishParameters } from './constructs/parameters.js';
import { SigningKeys } from './constructs/signing-keys.js';
import { MfaDataKey } from './constructs/mfa-data-key.js';
import { AuthTables } from './constructs/tables.js';
import { FUNCTION_NAMES, FUNCTION_SPECS, type AuthFunctionName, type TableId } from './function-specs.js';
import { SecurityAlarms } from './monitoring.js';

export type { AuthBackendProps, AuthBackendOAuthProvider } from './auth-backend-props.js';
export type { ProtectRouteOptions } from './constructs/auth-api.js';
export { authBackendParameterNames, type AuthBackendParameterNames } from './constructs/parameters.js';

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
  /** The data key that seals TOTP secrets. */
  public readonly mfaKeySecret: Secret;
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
    const mfaDataKey = new MfaDataKey(this, { removalPolicy });
    this.mfaKeySecret = mfaDataKey.secret;
    this.authApi = new AuthApi(this, { ...retained, corsOrigins: settings.corsOrigins, throttle: props.throttle });
    this.api = this.authApi.api;

    this.issuer = props.issuer ?? this.api.apiEndpoint;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
    const environment = commonEnvironment(props, settings, this.issuer);
    if (props.mutualTls) {
      addMutualTlsDomain(this, this.api, props.mutualTls);
      environment.MTLS_ENDPOINT = `https://${props.mutualTls.domainName}`;
    }
    const mailIdentity = props.sesIdentity ?? props.mailFrom?.split('@').pop();
    const resources = {
      tables,
      signingKeys,
      mfaDataKey,
      jwksUrl: this.jwksUrl,
      authorizerCacheSeconds: settings.authorizerCacheTtl.toSeconds(),
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
      functions[name] = new AuthFunction(this, {
        name,
        spec,
        commonEnvironment: environment,
        resources,
        ...retained,
      }).function;
    }
    this.functions = functions;
    this.authorizerFunction = functions.authorizer;
    signingKeys.bootstrapOnDeploy(functions['bootstrap-keys']);

    this.authorizer = this.authApi.addRoutes(functions, {
      authorizerCacheTtl: settings.authorizerCacheTtl,
      authWriteThrottle: props.authWriteThrottle,
    });
    this.securityAlarms = new SecurityAlarms(this, 'SecurityAlarms', {
      serviceName: environment.POWERTOOLS_SERVICE_NAME,
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
    this.parameters = publishParameters(this, props.parameterPrefix ?? `/lambda-auth/${id}`, {
      authorizerFunctionArn: this.authorizerFunction.functionArn,
      issuer: this.issuer,
      jwksUrl: this.jwksUrl,
    });
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
}

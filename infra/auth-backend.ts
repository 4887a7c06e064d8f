import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  CustomResource,
  Duration,
  Lazy,
  Names,
  RemovalPolicy,
  Stack,
  Validations,
  type CfnElement,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type CfnStage,
  type HttpRouteIntegration,
  type IHttpApi,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type RotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { TABLES } from '../shared/adapters/dynamo/tables.js';
import { ROUTES, routeKey } from '../shared/routing/routes.js';
import type { RouteRequirements } from '../shared/routing/route-policies.js';
import { hasStepUp } from '../shared/authorizer/step-up.js';
import { resolveSettings, type AuthBackendProps, type Settings } from './auth-backend-props.js';
import { assertArgon2BinaryInstalled, functionBundling } from './bundling/bundling.js';
import { SecurityAlarms } from './monitoring.js';
import { functionEnvironment, functionGrants, type FunctionGrant } from './function-environment.js';
import {
  FUNCTION_NAMES,
  FUNCTION_SPECS,
  type AuthFunctionName,
  type FunctionSpec,
  type TableId,
} from './function-specs.js';

export type { AuthBackendProps, AuthBackendOAuthProvider } from './auth-backend-props.js';

/** This package's root: `functions/` lives here. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where `node_modules/` and the lock file live: this package's root in this repository, the consuming app's root
 * when the package is installed (`<app>/node_modules/lambda-auth`), where npm hoists the dependencies and which the
 * tarball's missing `package-lock.json` leaves as the nearest one.
 */
const PROJECT_ROOT = nearestLockFileDir(PACKAGE_ROOT);
const PACKAGE_DIR = relative(PROJECT_ROOT, PACKAGE_ROOT).split(sep).join('/') || '.';

function nearestLockFileDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package-lock.json'))) return dir.endsWith(sep) ? dir : `${dir}${sep}`;
    if (dirname(dir) === dir) return from;
  }
}

/**
 * The newest Node.js runtime this aws-cdk-lib offers (cdk-nag's AwsSolutions-L1 checks the same list).
 * The AWS SDK v3 drops Node 20 in 2027.
 */
const RUNTIME = Runtime.NODEJS_24_X;

/**
 * One JSON line per request with what an operator needs and nothing a client sent: no body, no headers (so no
 * `Authorization` and no cookie), no query string (S49).
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTimeEpoch',
    ip: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationErrorMessage: '$context.integrationErrorMessage',
  }),
);

/** A route another team adds to its own HTTP API, behind this backend's authorizer. */
export interface ProtectRouteOptions {
  /** The path, e.g. `/orders/{id}`. */
  readonly path: string;
  /** @default [HttpMethod.ANY] */
  readonly methods?: HttpMethod[];
  readonly integration: HttpRouteIntegration;
  /**
   * The caller must hold at least one of these roles; otherwise the authorizer answers 403 before your Lambda runs.
   * @default - any valid access token
   */
  readonly roles?: string[];
  /**
   * The caller's `scope` must contain every one of these (403 otherwise).
   * @default - none
   */
  readonly scopes?: string[];
  /**
   * Step-up (S65): the token's `amr` must contain `mfa` (403 otherwise, decided at the edge from the token alone).
   * @default false
   */
  readonly mfa?: boolean;
  /**
   * Step-up (S65): the token's `auth_time` must be at most this many seconds old (403 otherwise).
   * @default - any age
   */
  readonly maxAuthAgeSeconds?: number;
}

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
  /** The data key that seals TOTP secrets (issue 13). */
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

  private readonly authorizerCacheTtl: Duration;
  private oauthClientSecretArns: string[] = [];
  private readonly mail: { from?: string; identity?: string; configurationSet?: string };
  private readonly foreignAuthorizers = new Map<IHttpApi, HttpLambdaAuthorizer>();

  constructor(scope: Construct, id: string, props: AuthBackendProps = {}) {
    super(scope, id);
    const settings = resolveSettings(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    this.authorizerCacheTtl = settings.authorizerCacheTtl;
    this.mail = {
      from: props.mailFrom,
      identity: props.sesIdentity ?? props.mailFrom?.split('@').pop(),
      configurationSet: props.sesConfigurationSet,
    };

    this.tables = this.createTables(removalPolicy);

    // Both secrets start as a meaningless generated string, so no key ever sits in the template. The KeyRingBootstrap
    // custom resource below rotates the ring once at deploy, which replaces the placeholder with a real ring and
    // publishes its public half, and the deploy finishes only once that is done: the first sign-in can sign.
    this.keyRingSecret = new Secret(this, 'KeyRing', {
      description: 'Signing key ring (private JWKs). Written only by its rotation function.',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy,
    });
    this.publicKeysSecret = new Secret(this, 'PublicKeys', {
      description: 'Public JWKS of the signing key ring. Written by the key-ring rotation function.',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.publicKeysSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds only public keys, derived from the key ring; it is rewritten by the key ring rotation (which has its own schedule), so rotating it separately has no meaning.',
    });

    // Issue 13: the data key sealing TOTP secrets (README, Second factors: why Secrets Manager, not KMS).
    this.mfaKeySecret = new Secret(this, 'MfaDataKey', {
      description:
        'Data key (by key id) that seals TOTP secrets with AES-256-GCM. Add a key id and move "current" to rotate.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy,
    });
    Validations.of(this.mfaKeySecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation adds a key id and moves "current" while keeping the old ids (sealed secrets name theirs); an automatic rotation that replaced the value would make every enrolled authenticator unreadable.',
    });

    this.api = new HttpApi(this, 'Api', {
      apiName: `${Names.uniqueId(this)}-api`,
      description: 'Authentication API: sign-up, sign-in, refresh, logout, JWKS',
      corsPreflight: settings.corsOrigins.length
        ? {
            allowOrigins: settings.corsOrigins,
            allowCredentials: true,
            allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
            allowHeaders: ['authorization', 'content-type', 'x-token-delivery'],
            // Lets a browser client read how long to wait after a 429.
            exposeHeaders: ['retry-after'],
            maxAge: Duration.hours(1),
          }
        : undefined,
    });
    this.configureStage(props.throttle ?? { rateLimit: 100, burstLimit: 200 }, removalPolicy, logRetention);

    this.issuer = props.issuer ?? this.api.apiEndpoint;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;

    const commonEnv: Record<string, string> = {
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
    this.oauthClientSecretArns = Object.values(settings.oauthProviders).flatMap((p) =>
      p.clientSecretArn ? [p.clientSecretArn] : [],
    );

    const functions = {} as Record<AuthFunctionName, NodejsFunction>;
    for (const name of FUNCTION_NAMES) {
      functions[name] = this.createFunction(name, FUNCTION_SPECS[name], commonEnv, removalPolicy, logRetention);
    }
    this.functions = functions;
    this.authorizerFunction = functions.authorizer;

    const rotation = this.keyRingSecret.addRotationSchedule('Rotation', {
      rotationLambda: functions['rotate-keys'],
      automaticallyAfter: settings.keyRotationInterval,
      // The first rotation is the bootstrap's (synchronous for the deploy); an immediate one here would only race it.
      rotateImmediatelyOnUpdate: false,
    });
    this.createKeyRingBootstrap(
      functions['bootstrap-keys'],
      functions['rotate-keys'],
      rotation,
      logRetention,
      removalPolicy,
    );

    this.authorizer = this.createAuthorizer('Authorizer');
    this.addRoutes();
    this.throttleAuthWrites(props.authWriteThrottle ?? { rateLimit: 20, burstLimit: 40 });
    this.securityAlarms = new SecurityAlarms(this, 'SecurityAlarms', {
      serviceName: commonEnv.POWERTOOLS_SERVICE_NAME,
      topic: props.alarmTopic,
      loginFailureThreshold: props.loginFailureAlarmThreshold,
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
    for (const method of options.methods ?? [HttpMethod.ANY]) this.addRoutePolicy(`${method} ${options.path}`, options);
    let authorizer = api === this.api ? this.authorizer : this.foreignAuthorizers.get(api);
    if (!authorizer) {
      authorizer = this.createAuthorizer(`${Names.uniqueId(this)}Authorizer`);
      this.foreignAuthorizers.set(api, authorizer);
    }
    api.addRoutes({
      path: options.path,
      methods: options.methods ?? [HttpMethod.ANY],
      integration: options.integration,
      authorizer,
    });
  }

  private readonly routePolicies: Record<string, RouteRequirements> = {};

  /** Records what a protected route outside ROUTES requires; the authorizer reads it from ROUTE_POLICIES. */
  private addRoutePolicy(key: string, options: ProtectRouteOptions): void {
    if (ROUTES.some((r) => routeKey(r) === key))
      throw new Error(`AuthBackend.protectRoute: ${key} is one of this backend's own routes`);
    const age = options.maxAuthAgeSeconds;
    // Fail at synth rather than at the authorizer's cold start, where every caller would be refused.
    if (age !== undefined && !(Number.isSafeInteger(age) && age > 0))
      throw new Error(`AuthBackend.protectRoute: ${key}: maxAuthAgeSeconds must be a positive integer`);
    const policy: RouteRequirements = {
      roles: options.roles,
      scopes: options.scopes,
      ...(options.mfa ? { mfa: true } : {}),
      ...(options.maxAuthAgeSeconds !== undefined ? { maxAuthAgeSeconds: options.maxAuthAgeSeconds } : {}),
    };
    const existing = this.routePolicies[key];
    if (existing && JSON.stringify(existing) !== JSON.stringify(policy)) {
      throw new Error(
        `AuthBackend.protectRoute: ${key} is already protected with other roles or scopes (policies are keyed by route key)`,
      );
    }
    if (!options.roles?.length && !options.scopes?.length && !hasStepUp(policy)) return;
    this.routePolicies[key] = policy;
    if (Object.keys(this.routePolicies).length === 1) {
      // Lazy: protectRoute may be called after the construct is built; the value is rendered at synth.
      this.functions.authorizer.addEnvironment(
        'ROUTE_POLICIES',
        Lazy.string({ produce: () => JSON.stringify(this.routePolicies) }),
      );
    }
  }

  private createAuthorizer(id: string): HttpLambdaAuthorizer {
    return new HttpLambdaAuthorizer(id, this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // The route key is part of the cache key: an allow cached for one route is never reused on another route,
      // which may require a role the caller lacks (S20).
      identitySource: ['$request.header.Authorization', '$context.routeKey'],
      resultsCacheTtl: this.authorizerCacheTtl,
    });
  }

  private createTables(removalPolicy: RemovalPolicy): Record<TableId, Table> {
    const tables = {} as Record<TableId, Table>;
    for (const def of TABLES) {
      const table = new Table(this, def.id, {
        partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        timeToLiveAttribute: def.ttlAttribute,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: def.pointInTimeRecovery },
        removalPolicy,
      });
      for (const gsi of def.globalSecondaryIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.indexName,
          partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
          projectionType: gsi.projection === 'ALL' ? ProjectionType.ALL : ProjectionType.KEYS_ONLY,
        });
      }
      if (!def.pointInTimeRecovery) {
        const reason = NO_PITR_REASONS[def.id];
        if (!reason)
          throw new Error(`AuthBackend: table ${def.id} has no point-in-time recovery; say why in NO_PITR_REASONS`);
        Validations.of(table).acknowledge({ id: 'AwsSolutions-DDB3', reason });
      }
      tables[def.id] = table;
    }
    return tables;
  }

  /** Access logging and default throttling on the `$default` stage, set on the L1: the L2 HttpApi exposes neither. */
  private configureStage(throttle: ThrottleSettings, removalPolicy: RemovalPolicy, retention: RetentionDays): void {
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention, removalPolicy });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = { destinationArn: accessLogs.logGroupArn, format: ACCESS_LOG_FORMAT.toString() };
    stage.defaultRouteSettings = {
      throttlingRateLimit: throttle.rateLimit,
      throttlingBurstLimit: throttle.burstLimit,
    };
  }

  private createFunction(
    name: AuthFunctionName,
    spec: FunctionSpec,
    commonEnv: Record<string, string>,
    removalPolicy: RemovalPolicy,
    retention: RetentionDays,
  ): NodejsFunction {
    const scope = new Construct(this, pascalCase(name));
    // argon2 is a native binding; only the linux-x64 binary is installable where this is synthesized, so the
    // password functions run on x86_64 with that binary copied into their asset. Everything else is pure JS
    // and runs on arm64 (cheaper per GB-second).
    const architecture = spec.argon2 ? Architecture.X86_64 : Architecture.ARM_64;
    if (spec.argon2) assertArgon2BinaryInstalled(PROJECT_ROOT, architecture);

    const logGroup = new LogGroup(scope, 'Logs', { retention, removalPolicy });
    // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its own log
    // group and nothing else until a grant below says so.
    const role = new Role(scope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${name} function`,
    });
    logGroup.grantWrite(role);

    // The environment and the grants come from one description (infra/function-environment.ts), which the
    // local runner and the tests use too: what runs locally is given exactly what this gives it (S81).
    const environment = functionEnvironment(spec, commonEnv, {
      tableName: (id) => this.tables[id].tableName,
      keyRing: { secretId: this.keyRingSecret.secretArn, publicKeysSecretId: this.publicKeysSecret.secretArn },
      mfaKey: { secretId: this.mfaKeySecret.secretArn },
      jwksUrl: this.jwksUrl,
      mail:
        this.mail.from && this.mail.identity
          ? { from: this.mail.from, configurationSet: this.mail.configurationSet }
          : undefined,
    });
    for (const grant of functionGrants(spec)) this.applyGrant(grant, role, scope);

    return new NodejsFunction(scope, 'Function', {
      entry: `${PACKAGE_ROOT}functions/${name}/handler.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: spec.description,
      runtime: RUNTIME,
      architecture,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      role,
      logGroup,
      // No X-Ray: it would add xray:PutTraceSegments on * to every role, and the authorizer's role stays logs-only (S44).
      tracing: Tracing.DISABLED,
      environment,
      bundling: functionBundling({
        runtime: RUNTIME,
        architecture,
        argon2: spec.argon2 === true,
        slimLogger: spec.slimLogger === true,
        packageDir: PACKAGE_DIR,
      }),
    });
  }

  /**
   * The `Custom::KeyRingBootstrap` resource: its onEvent function (functions/bootstrap-keys) calls RotateSecret on
   * the ring and returns only once AWSCURRENT holds a ring, so `cdk deploy` finishes with a signing key in place
   * instead of sign-ins answering 503 until an asynchronous first rotation has run.
   */
  private createKeyRingBootstrap(
    onEvent: NodejsFunction,
    rotationFunction: NodejsFunction,
    rotation: RotationSchedule,
    retention: RetentionDays,
    removalPolicy: RemovalPolicy,
  ): void {
    // RotateSecret requires the caller to be allowed to invoke the rotation function (the `bootstrap` key-ring grant
    // covers the secret; the function exists only once every function is created, so this half is granted here).
    rotationFunction.grantInvoke(onEvent);
    const stack = Stack.of(this);
    Validations.of(onEvent.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(rotationFunction.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'Added by grantInvoke: lambda:InvokeFunction on the versions and aliases of the one rotation function, which RotateSecret invokes.',
    });
    // The framework function's own role, logs-only like ours (no AWSLambdaBasicExecutionRole managed policy).
    const logGroup = new LogGroup(this, 'KeyRingBootstrapProviderLogs', { retention, removalPolicy });
    const role = new Role(this, 'KeyRingBootstrapProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the KeyRingBootstrap custom resource framework function',
    });
    logGroup.grantWrite(role);
    const provider = new Provider(this, 'KeyRingBootstrapProvider', {
      onEventHandler: onEvent,
      logGroup,
      frameworkOnEventRole: role,
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(onEvent.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'Added by the Provider framework: it may invoke only the versions of our own onEvent function (functions/bootstrap-keys).',
    });
    const bootstrap = new CustomResource(this, 'KeyRingBootstrap', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::KeyRingBootstrap',
      // A replaced secret is a new ARN: an Update, which bootstraps the new ring.
      properties: { KeyRing: this.keyRingSecret.secretArn },
    });
    // The rotation function must be attached to the secret before RotateSecret is called.
    bootstrap.node.addDependency(rotation);
  }

  /** Turns one grant of a function's spec into IAM, only through `grant*()` and one scoped SES statement. */
  private applyGrant(grant: FunctionGrant, role: Role, scope: Construct): void {
    switch (grant.kind) {
      case 'table': {
        const table = this.tables[grant.table];
        if (grant.access === 'readWrite') table.grantReadWriteData(role);
        else table.grantReadData(role);
        const def = TABLES.find((t) => t.id === grant.table)!;
        if (def.globalSecondaryIndexes.length > 0) {
          Validations.of(role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(table)}.Arn>/index/*]`,
            reason: `grant${grant.access === 'readWrite' ? 'ReadWrite' : 'Read'}Data scopes index access to the indexes of this one table (${def.globalSecondaryIndexes.map((i) => `${i.indexName}, ${i.projection} projection`).join('; ')}); no other table or index is reachable.`,
          });
        }
        return;
      }
      case 'keyRing':
        if (grant.access === 'read') this.keyRingSecret.grantRead(role);
        else if (grant.access === 'bootstrap') {
          // Never the value (S44): whether the ring exists is in the metadata. lambda:InvokeFunction on the rotation
          // function, which RotateSecret also needs, is granted in createKeyRingBootstrap.
          role.addToPolicy(
            new PolicyStatement({
              actions: ['secretsmanager:DescribeSecret', 'secretsmanager:RotateSecret'],
              resources: [this.keyRingSecret.secretArn],
            }),
          );
        } else {
          // The rotation schedule (constructor) grants the rotation function its access to the ring, plus this one.
          Validations.of(role).acknowledge({
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason:
              'Added by the RotationSchedule construct: secretsmanager:GetRandomPassword supports no resource-level permissions, so it can only be granted on *; it reads no secret.',
          });
        }
        return;
      case 'publicKeys':
        if (grant.access === 'read') this.publicKeysSecret.grantRead(role);
        else this.publicKeysSecret.grantWrite(role);
        return;
      case 'mfaKey':
        this.mfaKeySecret.grantRead(role);
        return;
      case 'oauthClientSecrets':
        this.oauthClientSecretArns.forEach((arn, i) =>
          Secret.fromSecretCompleteArn(scope, `OAuthClientSecret${i}`, arn).grantRead(role),
        );
        return;
      case 'mail': {
        if (!this.mail.from || !this.mail.identity) return;
        const resources = [
          Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: this.mail.identity }),
        ];
        if (this.mail.configurationSet) {
          resources.push(
            Stack.of(this).formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: this.mail.configurationSet,
            }),
          );
        }
        // Only from the one sending identity: a compromised function cannot send as another verified domain.
        role.addToPolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources }));
        return;
      }
    }
  }

  private addRoutes(): void {
    const integrations = new Map<AuthFunctionName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascalCase(route.fn)}Integration`, this.functions[route.fn]);
        integrations.set(route.fn, integration);
      }
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: route.auth ? this.authorizer : undefined,
      });
      if (!route.auth && created) {
        const why = PUBLIC_ROUTE_REASONS[route.fn];
        if (!why)
          throw new Error(
            `AuthBackend: ${routeKey(route)} has no authorizer; say why in PUBLIC_ROUTE_REASONS or add \`auth\` to ROUTES`,
          );
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is public by nature: ${why}.`,
        });
      }
    }
  }

  /** Per-route throttling of the public credential-accepting writes, on top of the stage default. */
  private throttleAuthWrites(throttle: ThrottleSettings): void {
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    const settings: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> = {};
    for (const route of ROUTES) {
      if (route.method === 'POST' && route.path.startsWith('/auth/') && !route.auth) {
        settings[routeKey(route)] = {
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
        };
      }
    }
    stage.routeSettings = settings;
  }

  private logicalIdOf(table: Table): string {
    return Stack.of(this).getLogicalId(table.node.defaultChild as CfnElement);
  }
}

/** Why a table of `TABLES` goes without point-in-time recovery (cdk-nag AwsSolutions-DDB3). */
const NO_PITR_REASONS: Partial<Record<TableId, string>> = {
  RefreshTokens:
    'Rows are hashed refresh tokens that expire within 30 days. Restoring an earlier copy would resurrect rotated and revoked tokens (undoing logout and reuse detection), so a restore must never be the recovery path; losing the table only signs users out.',
  Ephemeral:
    'Holds only OAuth transactions and rate-limit counters that expire within minutes by TTL; a restore has no value and would reset lockout counters.',
  MagicLinks:
    'Holds only hashed single-use email links and codes that expire within minutes by TTL; a restore would resurrect used links, so it must never be the recovery path.',
};

/** Why a route of `ROUTES` without `auth` cannot be behind the authorizer (cdk-nag AwsSolutions-APIG4). */
const PUBLIC_ROUTE_REASONS: Partial<Record<AuthFunctionName, string>> = {
  signup: 'it creates the account the caller will authenticate with, so the caller has no token yet',
  login: 'it is where a caller without a token authenticates (password); it is rate limited per account and IP',
  refresh:
    'it authenticates with the refresh token (cookie or body) that the function itself verifies, because the access token has expired',
  logout:
    'it authenticates with the refresh token it revokes (verified by the function, which also refuses foreign origins); the GET route exists only to answer 405',
  jwks: 'verifiers, including the authorizer itself, fetch the public keys anonymously (RFC 7517); it serves no secret',
  'openid-configuration': 'issuer metadata is public by design (RFC 8414) and contains no secret',
  'oauth-authorize':
    'it starts social sign-in for a caller who has no token yet; it only stores a short-lived transaction and redirects to an allowlisted provider',
  'oauth-callback':
    'the provider sends the browser back here without a token of ours; the function authenticates the callback itself (single-use state bound to the browser, PKCE, ID token validation)',
  'magic-link':
    'it is where a caller without a token asks for a sign-in link by email; it answers the same for every address and is throttled per address and IP',
  'magic-link-verify':
    'the caller authenticates with the single-use emailed link token or code that the function verifies; the GET page consumes nothing',
  'verify-email':
    'the caller proves control of the mailbox with the single-use emailed token or code that the function verifies',
  'password-reset':
    'a caller who lost the password has no token; it answers the same for every address and is throttled per address and IP',
  'password-reset-confirm':
    'the caller authenticates with the single-use emailed reset token or code that the function verifies',
  'mfa-verify':
    'the caller has no access token yet: it authenticates with the single-use mfaToken its first factor earned (S66), verified by the function with per-token and per-account attempt caps (S61)',
};

/** The functions' view of the social sign-in props (client secrets only by ARN: never in the template). */
function oauthEnvironment(settings: Settings): Record<string, string> {
  const env: Record<string, string> = {};
  if (Object.keys(settings.oauthProviders).length) env.OAUTH_PROVIDERS = JSON.stringify(settings.oauthProviders);
  if (settings.allowedRedirectOrigins.length) env.ALLOWED_REDIRECT_ORIGINS = settings.allowedRedirectOrigins.join(',');
  return env;
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

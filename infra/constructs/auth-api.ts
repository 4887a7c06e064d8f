import { Duration, Lazy, Names, RemovalPolicy, Validations } from 'aws-cdk-lib';
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
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { ROUTES, routeKey } from '../../shared/routing/routes.js';
import type { AuthFunctionName } from '../function-specs.js';
import { pascalCase } from './auth-function.js';
import type { RouteRequirements } from '../../shared/routing/route-policies.js';
import { hasStepUp } from '../../shared/authorizer/step-up.js';
import { PUBLIC_ROUTE_REASONS } from './public-routes.js';

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

export interface AuthApiProps {
  /** @default - no CORS preflight (same-origin clients only) */
  readonly corsOrigins?: readonly string[];
  /** @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttle?: ThrottleSettings;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Retention of the access logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The HTTP API of `ROUTES`, its access logs and throttling, and the Lambda authorizer in front of the protected
 * routes — on this API and, through `protectRoute`, on other teams' APIs.
 *
 * Not a construct of its own: its resources are created in the given scope (the `AuthBackend`), so their logical
 * ids, which a deployed stack already has, stay what they were.
 */
export class AuthApi {
  public readonly api: HttpApi;
  private readonly scope: IConstruct;
  private readonly routePolicies: Record<string, RouteRequirements> = {};
  private readonly foreignAuthorizers = new Map<IHttpApi, HttpLambdaAuthorizer>();
  private backend?: {
    readonly authorizer: HttpLambdaAuthorizer;
    readonly authorizerFunction: LambdaFunction;
    readonly authorizerCacheTtl: Duration;
  };

  constructor(scope: IConstruct, props: AuthApiProps = {}) {
    this.scope = scope;
    const corsOrigins = props.corsOrigins ?? [];
    this.api = new HttpApi(scope, 'Api', {
      apiName: `${Names.uniqueId(scope)}-api`,
      description: 'Authentication API: sign-up, sign-in, refresh, logout, JWKS',
      corsPreflight: corsOrigins.length
        ? {
            allowOrigins: [...corsOrigins],
            allowCredentials: true,
            allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
            allowHeaders: ['authorization', 'content-type', 'x-token-delivery'],
            // Lets a browser client read how long to wait after a 429.
            exposeHeaders: ['retry-after'],
            maxAge: Duration.hours(1),
          }
        : undefined,
    });
    // Access logging and default throttling on the `$default` stage, set on the L1: the L2 HttpApi exposes neither.
    const accessLogs = new LogGroup(scope, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const throttle = props.throttle ?? { rateLimit: 100, burstLimit: 200 };
    this.stage.accessLogSettings = { destinationArn: accessLogs.logGroupArn, format: ACCESS_LOG_FORMAT.toString() };
    this.stage.defaultRouteSettings = {
      throttlingRateLimit: throttle.rateLimit,
      throttlingBurstLimit: throttle.burstLimit,
    };
  }

  /**
   * Adds every route of `ROUTES`, each to its function, the protected ones behind `authorizerFunction`.
   * @returns the authorizer bound to this API
   */
  public addRoutes(
    functions: Readonly<Record<AuthFunctionName, LambdaFunction>>,
    options: { readonly authorizerCacheTtl: Duration; readonly authWriteThrottle?: ThrottleSettings },
  ): HttpLambdaAuthorizer {
    const authorizerFunction = functions.authorizer;
    const authorizer = createAuthorizer('Authorizer', authorizerFunction, options.authorizerCacheTtl);
    this.backend = { authorizer, authorizerFunction, authorizerCacheTtl: options.authorizerCacheTtl };
    const integrations = new Map<AuthFunctionName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascalCase(route.fn)}Integration`, functions[route.fn]);
        integrations.set(route.fn, integration);
      }
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: route.auth ? authorizer : undefined,
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
    this.throttleAuthWrites(options.authWriteThrottle ?? { rateLimit: 20, burstLimit: 40 });
    return authorizer;
  }

  /** See `AuthBackend.protectRoute`. */
  public protectRoute(api: HttpApi, options: ProtectRouteOptions): void {
    if (!this.backend) throw new Error('AuthApi.protectRoute: call addRoutes first');
    for (const method of options.methods ?? [HttpMethod.ANY]) this.addRoutePolicy(`${method} ${options.path}`, options);
    let authorizer = api === this.api ? this.backend.authorizer : this.foreignAuthorizers.get(api);
    if (!authorizer) {
      authorizer = createAuthorizer(
        `${Names.uniqueId(this.scope)}Authorizer`,
        this.backend.authorizerFunction,
        this.backend.authorizerCacheTtl,
      );
      this.foreignAuthorizers.set(api, authorizer);
    }
    api.addRoutes({
      path: options.path,
      methods: options.methods ?? [HttpMethod.ANY],
      integration: options.integration,
      authorizer,
    });
  }

  private get stage(): CfnStage {
    return this.api.defaultStage?.node.defaultChild as CfnStage;
  }

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
      ...(age !== undefined ? { maxAuthAgeSeconds: age } : {}),
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
      this.backend!.authorizerFunction.addEnvironment(
        'ROUTE_POLICIES',
        Lazy.string({ produce: () => JSON.stringify(this.routePolicies) }),
      );
    }
  }

  /** Per-route throttling of the public credential-accepting writes, on top of the stage default. */
  private throttleAuthWrites(throttle: ThrottleSettings): void {
    const settings: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> = {};
    for (const route of ROUTES) {
      if (route.method === 'POST' && route.path.startsWith('/auth/') && !route.auth) {
        settings[routeKey(route)] = {
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
        };
      }
    }
    this.stage.routeSettings = settings;
  }
}

function createAuthorizer(id: string, fn: LambdaFunction, resultsCacheTtl: Duration): HttpLambdaAuthorizer {
  return new HttpLambdaAuthorizer(id, fn, {
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    // The route key is part of the cache key: an allow cached for one route is never reused on another route,
    // which may require a role the caller lacks (S20).
    identitySource: ['$request.header.Authorization', '$context.routeKey'],
    resultsCacheTtl,
  });
}

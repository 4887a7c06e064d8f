/**
 * CDK assertions on the synthesized AuthBackend: routes from ROUTES, the authorizer (S20), tables, the key ring
 * and its rotation, least-privilege IAM (S44), access logs without secrets (S49), and the Lambda assets.
 * One synth for the whole file (bundling runs esbuild for every function).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../shared/adapters/dynamo/tables.js';
import { ROUTES, routeKey } from '../../shared/routing/routes.js';
import { AuthBackend, type AuthBackendProps } from '../../infra/auth-backend.js';
import { AuthStack } from '../../infra/auth-stack.js';
import { functionEnvironment } from '../../infra/function-environment.js';
import { FUNCTION_NAMES, FUNCTION_SPECS, type AuthFunctionName } from '../../infra/function-specs.js';
import { localPermissions } from '../../infra/local/aws/permissions.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MISSING_HANDLERS = FUNCTION_NAMES.filter((n) => !existsSync(join(ROOT, 'functions', n, 'handler.ts')));
const ORIGIN = 'https://app.example.com';
const MAIL_FROM = 'no-reply@mail.example.com';
const ARGON2_BINARY = 'node_modules/@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node';

type Json = Record<string, any>;

if (MISSING_HANDLERS.length) {
  console.warn(
    `[test/infra] stack assertions skipped until these handlers exist: ${MISSING_HANDLERS.map((n) => `functions/${n}/handler.ts`).join(', ')}`,
  );
}

describe('Construct: AuthBackend (props validation)', () => {
  // validate() runs before any resource, so these need no handler and no bundling.
  const build = (props: AuthBackendProps) => () => new AuthBackend(new Stack(new App(), 'S'), 'Auth', props);

  it('S20: throws when the authorizer cache outlives the access token', () => {
    expect(build({ accessTokenTtl: Duration.minutes(5), authorizerCacheTtl: Duration.minutes(6) })).toThrow(
      /authorizerCacheTtl/,
    );
  });
  it('throws when the access token lives longer than 15 minutes', () => {
    expect(build({ accessTokenTtl: Duration.minutes(16) })).toThrow(/accessTokenTtl/);
  });
  it('S42: throws on a wildcard or malformed CORS origin', () => {
    expect(build({ corsOrigins: ['*'] })).toThrow(/corsOrigins/);
    expect(build({ corsOrigins: [`${ORIGIN}/`] })).toThrow(/corsOrigins/);
  });
  it('S24: throws on a refresh reuse grace above 60 s', () => {
    expect(build({ refreshReuseGrace: Duration.seconds(61) })).toThrow(/refreshReuseGrace/);
  });
  it('throws on a parameterPrefix that is not an absolute SSM path without a trailing slash', () => {
    for (const parameterPrefix of ['lambda-auth', '/lambda-auth/', '/a b', ''])
      expect(build({ parameterPrefix }), parameterPrefix).toThrow(/parameterPrefix/);
  });
  it('throws when `environment` tries to override a managed variable or switch to a local adapter', () => {
    expect(build({ environment: { KEY_RING_SECRET_ID: 'x' } })).toThrow(/KEY_RING_SECRET_ID/);
    expect(build({ environment: { KEY_RING_FILE: '/tmp/ring.json' } })).toThrow(/KEY_RING_FILE/);
  });
});

describe.skipIf(MISSING_HANDLERS.length > 0)('Stack: AuthStack (synthesized)', () => {
  let outdir: string;
  let stack: AuthStack;
  let backend: AuthBackend;
  let template: Template;
  let json: Json;
  let other: Template;

  const logicalId = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const fnId = (name: AuthFunctionName) => logicalId(backend.functions[name]);
  const fnProps = (name: AuthFunctionName): Json => json.Resources[fnId(name)].Properties;
  const roleId = (name: AuthFunctionName) => logicalId(backend.functions[name].role as unknown as Construct);
  const statementsOf = (name: AuthFunctionName): Json[] =>
    Object.values<Json>(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: Json) => ref.Ref === roleId(name)))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
  const refsTo = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);
  const assetDir = (name: AuthFunctionName) => {
    const key: string = fnProps(name).Code.S3Key;
    return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
  };
  /** Every JavaScript file of every function's asset (index.mjs and any lazily imported module), with its code. */
  const assetCode = () =>
    FUNCTION_NAMES.flatMap((name) => {
      const dir = assetDir(name);
      return readdirSync(dir)
        .filter((f) => /\.m?js$/.test(f))
        .map((file) => ({ where: `${name}/${file}`, code: readFileSync(join(dir, file), 'utf8') }));
    });
  const apiId = () => logicalId(backend.api);

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'auth-stack-test-'));
    // The built-in CloudFormation schema validation (~6 s) runs in nag.test.ts, which synthesizes the real app.
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    stack = new AuthStack(app, 'AuthBackendStack', { backend: { corsOrigins: [ORIGIN], mailFrom: MAIL_FROM } });
    backend = stack.backend;

    // Another team's API in its own stack, protected with this backend's authorizer function.
    const orders = new Stack(app, 'OrdersStack');
    const ordersApi = new HttpApi(orders, 'OrdersApi');
    backend.protectRoute(ordersApi, {
      path: '/orders',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('Orders', backend.functions.me),
      roles: ['clerk'],
      scopes: ['orders:read'],
    });
    backend.protectRoute(ordersApi, {
      path: '/orders/{id}',
      methods: [HttpMethod.DELETE],
      integration: new HttpLambdaIntegration('OrdersDelete', backend.functions.me),
      mfa: true,
      maxAuthAgeSeconds: 300,
    });

    template = Template.fromStack(stack);
    json = template.toJSON();
    other = Template.fromStack(orders);
    // Bundling every function (22 with the key-ring bootstrap) can take three minutes on two busy cores.
  }, 300_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  describe('functions', () => {
    it('creates exactly one Lambda per function, on the newest Node runtime (plus the custom-resource framework)', () => {
      const fns = Object.values<Json>(template.findResources('AWS::Lambda::Function'));
      expect(fns.filter((f) => f.Properties.Handler === 'index.handler')).toHaveLength(FUNCTION_NAMES.length);
      // The one other function: aws-cdk-lib's Provider framework behind the KeyRingBootstrap custom resource.
      expect(fns.filter((f) => f.Properties.Handler !== 'index.handler').map((f) => f.Properties.Handler)).toEqual([
        'framework.onEvent',
      ]);
      for (const name of FUNCTION_NAMES) {
        expect(fnProps(name)).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
      }
    });

    it('sizes and times out each function as specified (authorizer 3 s)', () => {
      for (const name of FUNCTION_NAMES) {
        const spec = FUNCTION_SPECS[name];
        expect(fnProps(name), name).toMatchObject({ MemorySize: spec.memorySize, Timeout: spec.timeout.toSeconds() });
      }
      expect(fnProps('authorizer').Timeout).toBe(3);
    });

    it('gives every function its own log group with a retention, and no X-Ray data', () => {
      for (const name of FUNCTION_NAMES) {
        const ref = fnProps(name).LoggingConfig.LogGroup.Ref;
        expect(json.Resources[ref].Properties.RetentionInDays, name).toBeGreaterThan(0);
        expect(fnProps(name).TracingConfig?.Mode ?? 'PassThrough').toBe('PassThrough');
      }
    });

    it('runs signup and login on x86_64 with the native argon2 binary in their asset', () => {
      for (const name of ['signup', 'login'] as const) {
        expect(fnProps(name).Architectures).toEqual(['x86_64']);
        expect(existsSync(join(assetDir(name), ARGON2_BINARY)), `${name} asset lacks ${ARGON2_BINARY}`).toBe(true);
        expect(existsSync(join(assetDir(name), 'node_modules/@node-rs/argon2/index.js'))).toBe(true);
      }
    });

    it('runs every other function on arm64 without any native module', () => {
      for (const name of FUNCTION_NAMES.filter((n) => !FUNCTION_SPECS[n].argon2)) {
        expect(fnProps(name).Architectures, name).toEqual(['arm64']);
        // A lazily imported module is a file of its own beside index.mjs (with a package.json making `.js` ESM).
        const lazy = (FUNCTION_SPECS[name].lazyModules ?? []).map((m) => basename(m).replace(/\.ts$/, '.js'));
        expect(readdirSync(assetDir(name)).sort(), name).toEqual(
          (lazy.length ? [...lazy, 'index.mjs', 'package.json'] : ['index.mjs']).sort(),
        );
        // The stub alias replaced the native package: nothing left to resolve at cold start.
        expect(readFileSync(join(assetDir(name), 'index.mjs'), 'utf8'), name).not.toMatch(/from\s*"@node-rs\/argon2"/);
      }
    });

    it('bundles only the environment link of the SDK credential chain: no SSO, STS, ini, process or container code', () => {
      for (const { where, code } of assetCode()) {
        for (const marker of [
          'sso-oidc',
          'AssumeRoleWithWebIdentity',
          'credential_process',
          'AWS_CONTAINER_CREDENTIALS',
        ])
          expect(code, where).not.toContain(marker);
        if (code.includes('@aws-sdk/') || code.includes('SigV4'))
          expect(code, where).toContain('Unable to find environment variable credentials');
      }
    });

    it('bundles no event-stream codec: no client of this stack has an event-stream operation', () => {
      for (const { where, code } of assetCode()) {
        expect(code, where).not.toContain(':message-type');
        if (code.includes('SigV4')) expect(code, where).toContain('Event streams are not bundled');
      }
    });

    it('S50: bundles the slim logger and metrics (same JSON lines) instead of Powertools, in every asset', () => {
      for (const { where, code } of assetCode()) {
        expect(code, where).not.toContain('POWERTOOLS_LOGGER_SAMPLE_RATE');
        expect(code, where).not.toContain('No application metrics to publish');
      }
      // The functions that log (all but bootstrap-keys) carry the slim logger's line instead.
      for (const name of ['authorizer', 'login', 'refresh', 'oauth-callback'] as const)
        expect(readFileSync(join(assetDir(name), 'index.mjs'), 'utf8'), name).toContain('sampling_rate');
    });

    it('S6: ships the common-password list as a file beside the functions that read it, never inside a bundle', () => {
      const list = readFileSync(join(ROOT, 'shared/domain/common-passwords.txt'), 'utf8');
      for (const name of FUNCTION_NAMES) {
        const code = readFileSync(join(assetDir(name), 'index.mjs'), 'utf8');
        // The package's compressed list and the sorted file's first entries never reach a bundle.
        expect(code, name).not.toContain('A123456Apassword');
        expect(code, name).not.toContain(list.slice(0, 40));
        const reads = code.includes('common-passwords.txt');
        expect(reads, name).toBe((FUNCTION_SPECS[name].dataFiles ?? []).length > 0);
        if (reads) expect(readFileSync(join(assetDir(name), 'common-passwords.txt'), 'utf8'), name).toBe(list);
      }
      expect(FUNCTION_NAMES.filter((n) => FUNCTION_SPECS[n].dataFiles)).toEqual(['signup', 'password-reset-confirm']);
    });

    it('needs no `require` in any asset: no createRequire banner, no CommonJS require left for run time', () => {
      for (const { where, code } of assetCode()) {
        // The banner bundles used to carry; it imported node:module in every cold start.
        expect(code, where).not.toContain('createRequire(import.meta.url)');
        // esbuild's stand-in for a CommonJS `require` of a module it leaves out of an ES module bundle: it throws
        // this at run time when nothing defines `require`. Either bundle the module or bring the banner back.
        expect(code, where).not.toContain('Dynamic require of');
      }
    });

    it('bundles no AWS SDK into the authorizer', () => {
      const code = readFileSync(join(assetDir('authorizer'), 'index.mjs'), 'utf8');
      expect(code).not.toContain('@aws-sdk');
      expect(code).not.toContain('aws-sdk-js');
      expect(code).not.toContain('@smithy');
    });

    it('S78: the authorizer’s API-key path (with the DynamoDB client) is a file of its own, an ES module beside index.mjs', () => {
      const dir = assetDir('authorizer');
      expect(readFileSync(join(dir, 'api-key-path.js'), 'utf8')).toContain('GetItem');
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).not.toContain('GetItem');
    });

    it('configures every function with the issuer, lifetimes and CORS origins, and no source-map flag', () => {
      for (const name of FUNCTION_NAMES) {
        const env = fnProps(name).Environment.Variables;
        expect(env, name).toMatchObject({
          ACCESS_TOKEN_TTL_SECONDS: '900',
          REFRESH_REUSE_GRACE_SECONDS: '0',
          CORS_ORIGINS: ORIGIN,
          PASSWORD_MIN_LENGTH: '15',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        });
        expect(env.ISSUER).toEqual({ 'Fn::GetAtt': [apiId(), 'ApiEndpoint'] });
        expect(env.NODE_OPTIONS).toBeUndefined();
      }
      expect(fnProps('authorizer').Environment.Variables.JWKS_URL).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [apiId(), 'ApiEndpoint'] }, '/.well-known/jwks.json']],
      });
    });

    it('passes each function only the tables and secrets it uses', () => {
      const keyRing = logicalId(backend.keyRingSecret);
      const publicKeys = logicalId(backend.publicKeysSecret);
      for (const name of FUNCTION_NAMES) {
        const spec = FUNCTION_SPECS[name];
        const env = fnProps(name).Environment.Variables;
        for (const def of TABLES) {
          if (spec.tables?.[def.id] || (def.id === 'ApiKeys' && spec.apiKeyLookup))
            expect(env[def.envVar], `${name} ${def.envVar}`).toEqual({ Ref: logicalId(backend.tables[def.id]) });
          else expect(env[def.envVar], `${name} ${def.envVar}`).toBeUndefined();
        }
        if (spec.keyRing) expect(env.KEY_RING_SECRET_ID).toEqual({ Ref: keyRing });
        else expect(env.KEY_RING_SECRET_ID, name).toBeUndefined();
        if (spec.publicKeys) expect(env.PUBLIC_KEYS_SECRET_ID).toEqual({ Ref: publicKeys });
        else expect(env.PUBLIC_KEYS_SECRET_ID, name).toBeUndefined();
      }
    });
  });

  describe('S81: the local runner gives each function what the stack gives it', () => {
    /** `[action, resource]` pairs of a policy, with table references replaced by `table:<id>`. */
    const resolveResource = (r: unknown): string => {
      const tableIdOf = Object.fromEntries(TABLES.map((t) => [logicalId(backend.tables[t.id]), t.id]));
      const json = JSON.stringify(r);
      const table = Object.keys(tableIdOf).find((id) => json.includes(`"${id}"`));
      if (table) return `table:${tableIdOf[table]}${json.includes('/index/*') ? '/index/*' : ''}`;
      return json;
    };
    const pairs = (
      statements: { actions: readonly string[]; resources: readonly unknown[] }[],
      only: (a: string) => boolean,
    ) =>
      statements
        .flatMap((st) =>
          st.actions
            .filter(only)
            .flatMap((a) =>
              st.resources.map(
                (r) => `${a} ${typeof r === 'string' && r.startsWith('table:') ? r : resolveResource(r)}`,
              ),
            ),
        )
        .sort();

    it('S81: the DynamoDB and SES policy of each function in the template is the one the local guard enforces', () => {
      const mailArn = 'ses-identity';
      for (const name of FUNCTION_NAMES) {
        const fromTemplate = statementsOf(name).map((st) => ({
          actions: [st.Action].flat() as string[],
          resources: [st.Resource].flat(),
        }));
        const local = localPermissions(FUNCTION_SPECS[name], {
          table: (id) => `table:${id}`,
          mailResources: [mailArn],
        });
        const isData = (a: string) => a.startsWith('dynamodb:');
        expect(pairs(local, isData), name).toEqual(pairs(fromTemplate, isData));
        const sendsMail = (a: string) => a === 'ses:SendEmail';
        expect(pairs(local, sendsMail).length > 0, `${name} mail`).toBe(pairs(fromTemplate, sendsMail).length > 0);
      }
    });

    it('S81: each function gets the same variables locally as in the template (the key ring as a file locally)', () => {
      const common = { ISSUER: 'http://127.0.0.1:1' };
      for (const name of FUNCTION_NAMES) {
        const local = functionEnvironment(FUNCTION_SPECS[name], common, {
          tableName: (id) => `local-${id}`,
          keyRing: { file: '/tmp/ring.json' },
          mfaKey: { file: '/tmp/mfa-data-key.json' },
          jwksUrl: 'http://127.0.0.1:1/.well-known/jwks.json',
          mail: { from: MAIL_FROM },
        });
        const deployed = new Set(Object.keys(fnProps(name).Environment.Variables));
        const expected = new Set(
          [...deployed].filter(
            (k) => k !== 'KEY_RING_SECRET_ID' && k !== 'PUBLIC_KEYS_SECRET_ID' && k !== 'MFA_KEY_SECRET_ID',
          ),
        );
        if (deployed.has('KEY_RING_SECRET_ID') || deployed.has('PUBLIC_KEYS_SECRET_ID')) expected.add('KEY_RING_FILE');
        if (deployed.has('MFA_KEY_SECRET_ID')) expected.add('MFA_KEY_FILE');
        const specific = (keys: Iterable<string>) =>
          [...keys].filter((k) => /_TABLE$|^KEY_RING|^MFA_KEY|^MAIL|^SES_|^JWKS_URL$|SECRET_ID$/.test(k)).sort();
        expect(specific(Object.keys(local)), name).toEqual(specific(expected));
      }
    });
  });

  describe('HTTP API', () => {
    const routes = () =>
      Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties as Json);

    it('creates one route per ROUTES entry, with its route key', () => {
      const keys = routes()
        .map((r) => r.RouteKey)
        .sort();
      expect(keys).toEqual(ROUTES.map(routeKey).sort());
    });

    it('puts the authorizer on protected routes and only there', () => {
      const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
      for (const route of ROUTES) {
        const r = routes().find((x) => x.RouteKey === routeKey(route))!;
        if (route.auth) {
          expect(r, routeKey(route)).toMatchObject({
            AuthorizationType: 'CUSTOM',
            AuthorizerId: { Ref: authorizerId },
          });
        } else {
          expect(r.AuthorizationType ?? 'NONE', routeKey(route)).toBe('NONE');
          expect(r.AuthorizerId).toBeUndefined();
        }
      }
    });

    it('S20: keys the authorizer cache on the token and the route, for at most the token lifetime', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
      const [authorizer] = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Authorizer'));
      const p = authorizer.Properties;
      expect(p).toMatchObject({
        AuthorizerType: 'REQUEST',
        EnableSimpleResponses: true,
        AuthorizerPayloadFormatVersion: '2.0',
      });
      expect(p.IdentitySource).toEqual(expect.arrayContaining(['$request.header.Authorization', '$context.routeKey']));
      expect(p.AuthorizerResultTtlInSeconds).toBeLessThanOrEqual(900);
      expect(p.AuthorizerResultTtlInSeconds).toBeLessThanOrEqual(
        Number(fnProps('me').Environment.Variables.ACCESS_TOKEN_TTL_SECONDS),
      );
      expect(JSON.stringify(p.AuthorizerUri)).toContain(fnId('authorizer'));
    });

    it('S42: allows CORS with credentials from the configured origins only', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        CorsConfiguration: { AllowOrigins: [ORIGIN], AllowCredentials: true },
      });
      expect(JSON.stringify(template.findResources('AWS::ApiGatewayV2::Api'))).not.toContain('"*"');
    });

    it('S49: access-logs the default stage without body, headers or authorizer output', () => {
      const [stage] = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Stage'));
      const format: string = stage.Properties.AccessLogSettings.Format;
      for (const field of [
        '$context.requestId',
        '$context.identity.sourceIp',
        '$context.routeKey',
        '$context.status',
        '$context.responseLatency',
        '$context.integrationErrorMessage',
      ]) {
        expect(format).toContain(field);
      }
      expect(format).not.toMatch(/authorization|body|\$request\.|header|cookie|querystring|\$context\.authorizer/i);
      expect(stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][1]).toBe('Arn');
    });

    it('S49: throttles the default stage and leaves data tracing and execution logging off', () => {
      const [stage] = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Stage'));
      const settings = stage.Properties.DefaultRouteSettings;
      expect(settings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
      expect(settings.DataTraceEnabled ?? false).toBe(false);
      expect(settings.LoggingLevel).toBeUndefined();
    });

    it('S4: throttles every public POST /auth/* route tighter than the stage default', () => {
      const [stage] = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Stage'));
      const routeSettings = stage.Properties.RouteSettings as Record<string, Json>;
      const publicWrites = ROUTES.filter((r) => r.method === 'POST' && r.path.startsWith('/auth/') && !r.auth).map(
        routeKey,
      );
      expect(publicWrites).toContain('POST /auth/login');
      expect(Object.keys(routeSettings).sort()).toEqual([...publicWrites].sort());
      for (const key of publicWrites)
        expect(routeSettings[key]).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    });

    it("S50: alarms on refresh-token reuse, sign-in failure spikes, lockouts and authorizer-deny bursts from the functions' metrics", () => {
      const alarms = Object.values<Json>(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
      const byMetric = Object.fromEntries(alarms.map((a) => [a.MetricName, a]));
      expect(byMetric.RefreshTokenReuse).toMatchObject({ Namespace: 'Auth', Threshold: 1, Statistic: 'Sum' });
      expect(byMetric.LoginFailure).toMatchObject({ Namespace: 'Auth', Threshold: 100 });
      expect(byMetric.LoginLocked).toMatchObject({ Namespace: 'Auth' });
      expect(byMetric.AuthorizerDeny).toMatchObject({ Namespace: 'Auth', Threshold: 50, Statistic: 'Sum' });
      for (const a of alarms) expect(a.Dimensions).toEqual([{ Name: 'service', Value: 'auth' }]);
    });

    it('exports the API URL, the issuer, the JWKS URL, the authorizer function ARN and the parameter prefix', () => {
      const outputs = Object.keys(json.Outputs);
      for (const name of ['ApiUrl', 'Issuer', 'JwksUrl', 'AuthorizerFunctionArn', 'ParameterPrefix']) {
        expect(
          outputs.some((o) => o.startsWith(`Auth${name}`)),
          name,
        ).toBe(true);
      }
    });

    describe('published for other CDK apps (SSM parameters)', () => {
      const output = (name: string): unknown =>
        Object.entries<Json>(json.Outputs).find(([k]) => k.startsWith(`Auth${name}`))![1].Value;
      const parameter = (name: string): Json => {
        const found = Object.values<Json>(template.findResources('AWS::SSM::Parameter')).filter(
          (p) => p.Properties.Name === `/lambda-auth/Auth/${name}`,
        );
        expect(found, name).toHaveLength(1);
        return found[0].Properties;
      };

      it('publishes exactly three String parameters under the default prefix /lambda-auth/<construct id>', () => {
        template.resourceCountIs('AWS::SSM::Parameter', 3);
        for (const name of ['authorizer-function-arn', 'issuer', 'jwks-url'])
          expect(parameter(name).Type).toBe('String');
        expect(output('ParameterPrefix')).toBe('/lambda-auth/Auth');
      });

      it('publishes the authorizer function ARN, the issuer and the JWKS URL, equal to the stack outputs', () => {
        expect(parameter('authorizer-function-arn').Value).toEqual({ 'Fn::GetAtt': [fnId('authorizer'), 'Arn'] });
        expect(parameter('authorizer-function-arn').Value).toEqual(output('AuthorizerFunctionArn'));
        expect(parameter('issuer').Value).toEqual(output('Issuer'));
        expect(parameter('jwks-url').Value).toEqual(output('JwksUrl'));
        // The default issuer is the API endpoint; the JWKS URL is the issuer's well-known path.
        expect(refsTo(parameter('issuer').Value, apiId())).toBe(true);
        expect(JSON.stringify(parameter('jwks-url').Value)).toContain('/.well-known/jwks.json');
      });
    });

    it("S20 S65: protectRoute hands the route's roles, scopes and step-up to the authorizer (ROUTE_POLICIES), keyed by route key", () => {
      const authorizer = Object.values<Json>(template.findResources('AWS::Lambda::Function')).find((f) =>
        String(f.Properties.Description ?? '').startsWith('HTTP API Lambda authorizer'),
      )!;
      const policies = JSON.parse(authorizer.Properties.Environment.Variables.ROUTE_POLICIES);
      // S65: step-up travels the same way, so the authorizer decides it from the token at zero AWS calls.
      expect(policies).toEqual({
        'GET /orders': { roles: ['clerk'], scopes: ['orders:read'] },
        'DELETE /orders/{id}': { mfa: true, maxAuthAgeSeconds: 300 },
      });
      expect(() =>
        backend.protectRoute(new HttpApi(new Stack(new App(), 'X'), 'Api'), {
          path: '/orders',
          methods: [HttpMethod.GET],
          integration: new HttpLambdaIntegration('Other', backend.functions.me),
          roles: ['admin'],
        }),
      ).toThrow(/already protected/);
      expect(() =>
        backend.protectRoute(new HttpApi(new Stack(new App(), 'Y'), 'Api'), {
          path: '/payouts',
          integration: new HttpLambdaIntegration('Payouts', backend.functions.me),
          maxAuthAgeSeconds: 0,
        }),
      ).toThrow(/maxAuthAgeSeconds must be a positive integer/);
    });

    it('S20: protectRoute gives another API its own authorizer object from the same function', () => {
      const [authorizer] = Object.values<Json>(other.findResources('AWS::ApiGatewayV2::Authorizer'));
      expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization', '$context.routeKey']);
      other.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /orders', AuthorizationType: 'CUSTOM' });
      other.resourceCountIs('AWS::Lambda::Permission', 3); // the authorizer invoke + the two routes' integrations
    });
  });

  describe('data', () => {
    it('creates the tables of TABLES: on demand, AWS-managed encryption, pk string, no physical names', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
      for (const def of TABLES) {
        const p = json.Resources[logicalId(backend.tables[def.id])].Properties;
        expect(p, def.id).toMatchObject({
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          SSESpecification: { SSEEnabled: true },
        });
        expect(p.TableName).toBeUndefined();
        if (def.ttlAttribute)
          expect(p.TimeToLiveSpecification).toEqual({ AttributeName: def.ttlAttribute, Enabled: true });
        else expect(p.TimeToLiveSpecification).toBeUndefined();
        expect(p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled ?? false, def.id).toBe(
          def.pointInTimeRecovery,
        );
      }
      expect(json.Resources[logicalId(backend.tables.Users)].Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
    });

    it('creates the familiesByUser index on the refresh-token table', () => {
      const p = json.Resources[logicalId(backend.tables.RefreshTokens)].Properties;
      expect(p.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: 'familiesByUser',
          KeySchema: [{ AttributeName: 'familyOwner', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]);
    });

    it("rotates the key ring with the rotate-keys function every 30 days; the first rotation is the bootstrap's", () => {
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        SecretId: { Ref: logicalId(backend.keyRingSecret) },
        RotationLambdaARN: { 'Fn::GetAtt': [fnId('rotate-keys'), 'Arn'] },
        RotateImmediatelyOnUpdate: false,
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      });
    });

    it('the deploy waits for the first key ring: a KeyRingBootstrap custom resource after the rotation schedule', () => {
      const resources = Object.entries<Json>(template.findResources('Custom::KeyRingBootstrap'));
      expect(resources).toHaveLength(1);
      const [id, resource] = resources[0];
      expect(resource.Properties.KeyRing).toEqual({ Ref: logicalId(backend.keyRingSecret) });
      const schedule = Object.keys(template.findResources('AWS::SecretsManager::RotationSchedule'))[0];
      expect([resource.DependsOn].flat()).toContain(schedule);
      // The Provider framework's onEvent calls our bootstrap-keys function.
      const framework = Object.values<Json>(template.findResources('AWS::Lambda::Function')).find(
        (f) =>
          JSON.stringify(resource.Properties.ServiceToken).includes('Provider') &&
          f.Properties.Handler === 'framework.onEvent',
      );
      expect(framework?.Properties.Environment.Variables.USER_ON_EVENT_FUNCTION_ARN).toEqual({
        'Fn::GetAtt': [fnId('bootstrap-keys'), 'Arn'],
      });
      expect(id).toMatch(/KeyRingBootstrap/);
      // It starts the rotation and sees its progress, never the ring's value (S44), and may invoke the rotation function.
      const actionsOf = (st: Json): string[] => [st.Action].flat();
      const secretActions = statementsOf('bootstrap-keys')
        .filter((s) => refsTo(s.Resource, logicalId(backend.keyRingSecret)))
        .flatMap(actionsOf);
      expect(secretActions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:RotateSecret']);
      expect(
        statementsOf('bootstrap-keys').some(
          (s) => actionsOf(s).includes('lambda:InvokeFunction') && refsTo(s.Resource, fnId('rotate-keys')),
        ),
      ).toBe(true);
    });

    it('S44: puts no key material in the template: both secrets start as generated placeholders', () => {
      const text = JSON.stringify(json);
      expect(text).not.toContain('"d":');
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain('privateJwk');
      for (const secret of Object.values<Json>(template.findResources('AWS::SecretsManager::Secret'))) {
        expect(secret.Properties.SecretString).toBeUndefined();
        expect(secret.Properties.GenerateSecretString).toBeDefined();
      }
    });
  });

  describe('IAM', () => {
    const allStatements = () =>
      Object.values<Json>(template.findResources('AWS::IAM::Policy')).flatMap(
        (r) => r.Properties.PolicyDocument.Statement as Json[],
      );
    const actionsOf = (s: Json): string[] => [s.Action].flat();

    it('S44/S78: the authorizer may write its own logs and get or update API-key items, nothing else', () => {
      const statements = statementsOf('authorizer');
      expect(statements).toHaveLength(2);
      expect(actionsOf(statements[0]).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      // Exactly the API-key lookup: no Scan or Query (no enumerating keys), no index, no other table, no secret.
      expect(actionsOf(statements[1]).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      expect(statements[1].Resource).toEqual({ 'Fn::GetAtt': [logicalId(backend.tables.ApiKeys), 'Arn'] });
      const role = json.Resources[roleId('authorizer')].Properties;
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toBeUndefined();
    });

    it('S44: only the signers and the rotation function can read the private key ring', () => {
      const keyRing = logicalId(backend.keyRingSecret);
      const readers = FUNCTION_NAMES.filter((n) =>
        statementsOf(n).some(
          (s) => actionsOf(s).includes('secretsmanager:GetSecretValue') && refsTo(s.Resource, keyRing),
        ),
      );
      expect(readers.sort()).toEqual([
        'login',
        'magic-link-verify',
        'mfa-totp-confirm',
        'mfa-verify',
        'oauth-callback',
        'oauth-token',
        'passkey-authenticate-verify',
        'refresh',
        'rotate-keys',
        'signup',
      ]);
    });

    it('S60: only the functions that seal or open a TOTP secret can read its data key', () => {
      const dataKey = logicalId(backend.mfaKeySecret);
      const readers = FUNCTION_NAMES.filter((n) =>
        statementsOf(n).some(
          (s) => actionsOf(s).includes('secretsmanager:GetSecretValue') && refsTo(s.Resource, dataKey),
        ),
      );
      expect(readers.sort()).toEqual(['mfa-totp-confirm', 'mfa-totp-enrol', 'mfa-verify']);
    });

    it('S44: the JWKS function reads the public keys secret and not the key ring', () => {
      const secretStatements = statementsOf('jwks').filter((s) =>
        actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
      );
      expect(secretStatements).toHaveLength(1);
      expect(secretStatements[0].Resource).toEqual({ Ref: logicalId(backend.publicKeysSecret) });
      expect(refsTo(statementsOf('jwks'), logicalId(backend.keyRingSecret))).toBe(false);
    });

    it('grants table access only to the functions that use the table', () => {
      for (const name of FUNCTION_NAMES) {
        for (const def of TABLES) {
          const granted = statementsOf(name).some((s) => refsTo(s.Resource, logicalId(backend.tables[def.id])));
          const spec = FUNCTION_SPECS[name];
          const uses = spec.tables?.[def.id] !== undefined || (def.id === 'ApiKeys' && spec.apiKeyLookup === true);
          expect(granted, `${name} → ${def.id}`).toBe(uses);
        }
      }
    });

    it('uses no service-wide wildcard actions and no AWS managed policies', () => {
      for (const s of allStatements()) {
        for (const action of actionsOf(s)) expect(action).not.toMatch(/^(\*|dynamodb:\*|secretsmanager:\*|logs:\*)$/);
      }
      for (const role of Object.values<Json>(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('grants ses:SendEmail only to the mail functions, only on the sending identity, and configures SES for them', () => {
      const senders = FUNCTION_NAMES.filter((n) =>
        statementsOf(n).some((s) => actionsOf(s).some((a) => a.startsWith('ses:'))),
      );
      // The passkey routes mail a notice when a passkey is added or removed (S72).
      expect(senders.sort()).toEqual([
        'magic-link',
        'passkey-register-verify',
        'passkey-remove',
        'password-reset',
        'signup',
      ]);
      for (const name of senders) {
        const ses = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
        expect(ses).toHaveLength(1);
        expect(actionsOf(ses[0])).toEqual(['ses:SendEmail']);
        expect(JSON.stringify(ses[0].Resource)).toMatch(/:identity\/mail\.example\.com"/);
        expect(fnProps(name).Environment.Variables).toMatchObject({ MAILER: 'ses', MAIL_FROM: MAIL_FROM });
      }
      for (const name of FUNCTION_NAMES.filter((n) => !senders.includes(n))) {
        expect(fnProps(name).Environment.Variables.MAIL_FROM, name).toBeUndefined();
      }
    });

    it('allows a wildcard resource only for GetRandomPassword (no resource-level permissions)', () => {
      const wildcard = allStatements().filter((s) => [s.Resource].flat().includes('*'));
      expect(wildcard.flatMap(actionsOf)).toEqual(['secretsmanager:GetRandomPassword']);
    });
  });
});

/**
 * Another team depends on this project: `npm pack`, the tarball installed into a temporary consumer app, the
 * consumer type-checked through the package's `exports` (NodeNext, strict), and its CDK app synthesized — the app that
 * attaches the authorizer to its own HTTP API by the SSM parameters the stack publishes
 * (functions/authorizer/README.md, "From a CDK app in another repository").
 *
 * Offline by construction: the tarball is extracted into the consumer's `node_modules/lambda-auth` (what
 * `npm install <tarball>` unpacks), and the consumer's other packages are links to this project's `node_modules`,
 * so nothing is fetched. Last, an app that deploys `AuthBackend` itself from the package is synthesized: that bundles
 * every function from node_modules/lambda-auth with esbuild (~50 s on two cores).
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Json = Record<string, any>;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODULES = realpathSync(join(ROOT, 'node_modules'));

/** Type-checks every export as a consumer would use it; never run (that would bundle every function). */
const USES_PACKAGE = `
import { App, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { AuthBackend, authBackendParameterNames, type AuthBackendProps, type ProtectRouteOptions } from 'lambda-auth/construct';
import { getAuthContext, requireRole, requireScope, type AuthContext, type AuthorizerContext } from 'lambda-auth/auth-context';
import { createAuthClient, type AuthClient } from 'lambda-auth/client';

export function buildBackend(): AuthBackend {
  const stack = new Stack(new App(), 'AuthStack');
  const props: AuthBackendProps = { corsOrigins: ['https://app.example.com'], parameterPrefix: '/team/auth' };
  const backend = new AuthBackend(stack, 'Auth', props);
  const route: ProtectRouteOptions = {
    path: '/orders',
    methods: [HttpMethod.GET],
    integration: new HttpUrlIntegration('Orders', 'https://orders.example.com'),
    roles: ['clerk'],
  };
  backend.protectRoute(new HttpApi(stack, 'Orders'), route);
  const names: { authorizerFunctionArn: string; issuer: string; jwksUrl: string } = authBackendParameterNames('/team/auth');
  void names;
  void backend.parameters.authorizerFunctionArn.parameterName;
  return backend;
}

export const handler = async (event: APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>) => {
  const user: AuthContext = getAuthContext(event);
  requireRole(user, 'clerk', 'admin');
  requireScope(user, 'orders:read');
  return { statusCode: 200, body: JSON.stringify({ sub: user.sub }) };
};

export const client: AuthClient = createAuthClient({ baseUrl: 'https://auth.example.com' });

// The types are real, not \`any\`: each of these must be an error (an unused @ts-expect-error is one too).
// @ts-expect-error parameterPrefix is a string
export const badProps: AuthBackendProps = { parameterPrefix: 42 };
// @ts-expect-error roles are strings
export const badRole = (user: AuthContext) => requireRole(user, 42);
// @ts-expect-error baseUrl is required
export const badClient = createAuthClient({});
`;

/**
 * The second CDK app of functions/authorizer/README.md (the first ts block of "From a CDK app in another
 * repository"), run as written: it attaches the authorizer to its own HTTP API by the published SSM parameters.
 * `App` reads `CDK_OUTDIR`.
 */
function readmeAttachApp(): string {
  const readme = readFileSync(join(ROOT, 'functions/authorizer/README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### From a CDK app in another repository'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code)
    throw new Error('functions/authorizer/README.md: no ts block under "From a CDK app in another repository"');
  return `${code}\napp.synth();\n`;
}

/** An app that deploys the backend from the installed package (its functions bundled from node_modules/lambda-auth). */
const BACKEND_APP = `
import { App, Stack } from 'aws-cdk-lib';
import { AuthBackend } from 'lambda-auth/construct';

const app = new App();
new AuthBackend(new Stack(app, 'AuthStack'), 'Auth', { corsOrigins: ['https://app.example.com'], parameterPrefix: '/orders/auth' });
app.synth();
`;

const tsx = (cwd: string, file: string, outdir: string) =>
  execFileSync(process.execPath, [join(MODULES, 'tsx', 'dist', 'cli.mjs'), file], {
    cwd,
    env: { ...process.env, CDK_OUTDIR: outdir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('Package: lambda-auth as another team installs it', () => {
  let dir: string;
  let consumer: string;
  let tarball: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-auth-package-'));
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { filename: string }[];
    tarball = join(dir, packed.filename);

    consumer = join(dir, 'consumer');
    const installed = join(consumer, 'node_modules', 'lambda-auth');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    for (const entry of readdirSync(MODULES)) {
      // .bin: NodejsFunction runs `npx --no-install esbuild`, as npm would have linked it.
      if (entry !== 'lambda-auth' && (entry === '.bin' || !entry.startsWith('.')))
        symlinkSync(join(MODULES, entry), join(consumer, 'node_modules', entry));
    }
    // The consumer's own lock file (the tarball carries none); NodejsFunction hashes it into the assets.
    copyFileSync(join(ROOT, 'package-lock.json'), join(consumer, 'package-lock.json'));
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'orders', private: true, type: 'module' }));
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM'],
          types: ['node'],
          strict: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ['*.ts'],
      }),
    );
    writeFileSync(join(consumer, 'uses-package.ts'), USES_PACKAGE);
    writeFileSync(join(consumer, 'app.ts'), readmeAttachApp());
    writeFileSync(join(consumer, 'backend.ts'), BACKEND_APP);
  }, 30_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('packs the sources the exports point at, without the local runner or the tests', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const pkg = JSON.parse(readFileSync(join(consumer, 'node_modules', 'lambda-auth', 'package.json'), 'utf8')) as Json;
    for (const target of Object.values<Json | string>(pkg.exports).flatMap((e) =>
      typeof e === 'string' ? [e] : Object.values(e),
    )) {
      expect(files, target).toContain(`package/${target.replace(/^\.\//, '')}`);
    }
    expect(files).toContain('package/functions/authorizer/handler.ts');
    expect(files.filter((f) => /^package\/(test|infra\/local|node_modules)\//.test(f))).toEqual([]);
  });

  it('type-checks a consumer of the construct, the auth-context helpers and the client (NodeNext, strict)', () => {
    const tsc = join(MODULES, 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
        cwd: consumer,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  }, 180_000); // a full tsc of the installed package: 60 s was not always enough on 2 loaded cores

  it("synthesizes the README's second CDK app: the authorizer attached by the SSM parameter, with the invoke permission", () => {
    const outdir = join(dir, 'cdk.out');
    tsx(consumer, 'app.ts', outdir);
    const template = JSON.parse(readFileSync(join(outdir, 'OrdersStack.template.json'), 'utf8')) as Json;
    const resources = Object.values<Json>(template.Resources);
    const parameter = Object.entries<Json>(template.Parameters).find(
      ([, p]) => p.Default === '/lambda-auth/Auth/authorizer-function-arn',
    );
    expect(parameter?.[1].Type).toBe('AWS::SSM::Parameter::Value<String>');
    const authorizer = resources.find((r) => r.Type === 'AWS::ApiGatewayV2::Authorizer')!.Properties;
    expect(authorizer).toMatchObject({
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
      AuthorizerResultTtlInSeconds: 60,
    });
    expect(JSON.stringify(authorizer.AuthorizerUri)).toContain(`{"Ref":"${parameter![0]}"}`);
    const permission = resources.find((r) => r.Type === 'AWS::Lambda::Permission')?.Properties;
    expect(permission).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { Ref: parameter![0] },
    });
    expect(JSON.stringify(permission!.SourceArn)).toContain('/authorizers/');
  }, 60_000);

  it('synthesizes AuthBackend from the installed package: every function bundled, argon2 copied, parameters under the prefix', () => {
    const outdir = join(dir, 'backend.out');
    tsx(consumer, 'backend.ts', outdir);
    const template = JSON.parse(readFileSync(join(outdir, 'AuthStack.template.json'), 'utf8')) as Json;
    const names = Object.values<Json>(template.Resources)
      .filter((r) => r.Type === 'AWS::SSM::Parameter')
      .map((r) => r.Properties.Name);
    expect(names.sort()).toEqual([
      '/orders/auth/authorizer-function-arn',
      '/orders/auth/issuer',
      '/orders/auth/jwks-url',
    ]);
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const functions = Object.values<Json>(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Code?.S3Key,
    );
    expect(assets.length).toBeGreaterThanOrEqual(functions.length);
    const withArgon2 = assets.filter((a) =>
      existsSync(join(outdir, a, 'node_modules', '@node-rs', 'argon2-linux-x64-gnu')),
    );
    expect(withArgon2.length).toBeGreaterThan(0);
  }, 180_000);
});

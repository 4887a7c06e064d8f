/**
 * Starts the whole backend locally: DynamoDB Local (tables created from the same definitions as the CDK
 * stack), a key ring file under `.data/`, and every function of the stack behind an API-Gateway-like server on
 * loopback. No AWS account, no Docker.
 *
 * Each function runs as it is deployed (S81): alone in its worker thread, with exactly the environment
 * `functionEnvironment` gives it in the stack (plus Lambda's own runtime variables), and AWS clients that reach
 * loopback stand-ins through the SDK's own endpoint variables: DynamoDB through a guard that enforces the
 * function's IAM policy, SES v2 through a stand-in that keeps the mail for the dev outbox.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTables } from '../../shared/adapters/dynamo/create-tables.js';
import { TABLES } from '../../shared/adapters/dynamo/tables.js';
import { FileKeyRing } from '../../shared/adapters/local/file-key-ring.js';
import { ensureDataKeyFile } from '../../shared/adapters/mfa-data-key.js';
import type { SigningAlg } from '../../shared/domain/key-ring.js';
import { ROUTES, type FunctionName } from '../../shared/routing/routes.js';
import { functionEnvironment } from '../function-environment.js';
import { FUNCTION_SPECS, type AuthFunctionName, type FunctionSpec } from '../function-specs.js';
import { startDynamoGuard } from './aws/dynamodb-guard.js';
import type { Statement } from './aws/iam.js';
import { localPermissions } from './aws/permissions.js';
import { startSesStandIn, type SesStandIn } from './aws/ses.js';
import { startDynamoLocal } from './dynamo-local.js';
import { startDevOidc, type DevOidc } from './dev-oidc.js';
import { createGateway } from './gateway.js';
import { startIsolatedFunction, type IsolatedFunction } from './isolated-function.js';
import { LAMBDA_NODE_MAJOR } from './node-support.js';
import { demoRoutes } from './demo/serve.js';

/** The loopback account and region of the local ARNs. */
const REGION = 'local';
const ACCOUNT = '000000000000';
/** The sender the local runner's mail functions are given (as `mailFrom` in the stack). */
export const LOCAL_MAIL_FROM = 'no-reply@auth.localhost.test';

export interface LocalOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Use an already running DynamoDB (e.g. the test suite's); otherwise DynamoDB Local is started. */
  dynamoEndpoint?: string;
  /** Folder for the key ring file (and persisted data). */
  dataDir?: string;
  /** Table name prefix; unique per test run so suites never share state. */
  tablePrefix?: string;
  /** Extra environment for the handlers (wins over the local defaults, loses to nothing). */
  env?: Record<string, string>;
  /**
   * Also run the local OpenID provider (infra/local/dev-oidc.ts) and register it as OAuth provider `dev`, unless
   * OAUTH_PROVIDERS is given. `npm start` turns it on.
   */
  devOidc?: boolean;
  /** Start every function before resolving (`npm start` warms them in the background instead). @default false */
  warm?: boolean;
  /**
   * The function specs to run with (tests only: a suite drops a grant to show that the guard catches it).
   * @default FUNCTION_SPECS
   */
  specs?: Readonly<Record<AuthFunctionName, FunctionSpec>>;
  /**
   * Sign with a key ring in Secrets Manager at this (loopback) endpoint instead of the ring file, so the
   * production adapter is on the path (the bench).
   */
  secretsManager?: { endpoint: string; keyRingSecretId: string; publicKeysSecretId: string };
  /** Sees every DynamoDB call of the functions as it reaches the guard (the bench counts them). */
  onDynamoCall?: (phase: 'start' | 'end', call: { caller: string; operation: string }) => void;
  /**
   * Receives each function's stdout and stderr (its JSON log lines) instead of this process's own streams: the
   * test backend keeps them out of a green run.
   * @default - this process's stdout and stderr, as `npm start` shows them
   */
  functionOutput?: (fn: string, stream: 'stdout' | 'stderr', chunk: string) => void;
}

export interface LocalBackend {
  url: string;
  port: number;
  /** The local OpenID provider's issuer, when `devOidc` started it. */
  devOidcIssuer?: string;
  /** The tables of this run, by their environment variable (for operator-style tools and tests). */
  tables: Readonly<Record<string, string>>;
  /** The SES v2 stand-in: every mail the functions sent. */
  mail: SesStandIn;
  /** Functions whose handler threw while importing so far (each answers 500 to every request, as on AWS). */
  importErrors: { fn: string; error: { name: string; message: string } }[];
  /** Starts every function not started yet; resolves with the import errors once all have started. */
  warmUp(): Promise<{ fn: string; error: { name: string; message: string } }[]>;
  /** The environment each function runs with (for tests and diagnostics). */
  environments: Readonly<Record<string, Readonly<Record<string, string>>>>;
  close(): Promise<void>;
}

const FUNCTIONS: FunctionName[] = [...new Set(ROUTES.map((r) => r.fn))];
/** Every function the local runner hosts: the route handlers and the authorizer. */
const HOSTED: (FunctionName | 'authorizer')[] = [...FUNCTIONS, 'authorizer'];

export async function startLocal(options: LocalOptions): Promise<LocalBackend> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir ?? '.data');
  await mkdir(dataDir, { recursive: true });
  const dynamo = options.dynamoEndpoint ? undefined : await startDynamoLocal({});
  const endpoint = options.dynamoEndpoint ?? dynamo!.endpoint;

  const specs = options.specs ?? FUNCTION_SPECS;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await dynamo?.stop();
  };

  try {
    const client = new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tables = await createTables(client, options.tablePrefix ?? 'local-');
    client.destroy();

    // IAM, locally: the policy of each function, by the access key id it signs with (its name).
    const permissions = new Map<string, Statement[]>();
    const permissionsOf = (caller: string) => permissions.get(caller);
    const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
    const guard = await startDynamoGuard({
      target: endpoint,
      permissionsOf,
      tableArn: (name) => arn('dynamodb', `table/${name}`),
      observe: options.onDynamoCall,
    });
    closers.push(() => guard.close());
    const mail = await startSesStandIn({ permissionsOf, arn: (resource) => arn('ses', resource) });
    closers.push(() => mail.close());

    // Each function starts (its cold start: a worker thread importing its handler) on its first invocation, as
    // on Lambda, or all at once in the background with `warm`. A request waits for its own function only, so
    // nothing answers from a half-started backend (a protected route waits for the authorizer's start).
    const environments: Record<string, Record<string, string>> = {};
    const functions: Partial<Record<string, IsolatedFunction>> = {};
    const importErrors: LocalBackend['importErrors'] = [];
    const sink = options.functionOutput;
    const functionOf = (fn: string): IsolatedFunction => {
      let f = functions[fn];
      if (!f) {
        const spec = specs[fn as AuthFunctionName];
        const env = environments[fn];
        if (!spec || !env) throw new Error(`no function ${fn}`);
        f = startIsolatedFunction({
          name: fn,
          module: new URL(`../../functions/${fn}/handler.ts`, import.meta.url).href,
          env,
          timeoutSeconds: spec.timeout.toSeconds(),
          memoryMB: spec.memorySize,
          output: sink && ((stream, chunk) => sink(fn, stream, chunk)),
        });
        void f.ready.then((error) => {
          if (!error) return;
          importErrors.push({ fn, error });
          console.error(`[local] ${fn} fails at cold start (every call answers 500): ${error.name}: ${error.message}`);
        });
        functions[fn] = f;
      }
      return f;
    };
    const invoke = (fn: string) => (event: unknown) => functionOf(fn).invoke(event);
    const handlers = Object.fromEntries(FUNCTIONS.map((fn) => [fn, invoke(fn)]));
    const corsOrigins: string[] = [];
    const authorizerCacheSeconds = Number(
      options.env?.AUTHORIZER_CACHE_SECONDS ?? process.env.AUTHORIZER_CACHE_SECONDS ?? 60,
    );
    const server = createGateway({
      routes: ROUTES,
      handlers,
      authorizer: invoke('authorizer'),
      corsOrigins,
      extraRoutes: {
        ...demoRoutes,
        // Local only, never deployed: the API description, generated from the same route table and schemas.
        'GET /openapi.json': async (_req, res) => {
          const { buildOpenApi } = await import('../openapi/document.js');
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(buildOpenApi()));
        },
        // Local only, never in ROUTES: the mails the functions sent through the SES stand-in, newest last.
        'GET /_dev/outbox': (req, res) => devOutboxRoute(req, res, mail),
      },
      authorizerCacheSeconds,
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port, host, () => ok());
    });
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host}:${port}`;

    const userEnv = { ...pick(process.env, /^(OAUTH_PROVIDERS)$/), ...options.env };
    const devOidc: (DevOidc & { env: Record<string, string> }) | undefined =
      options.devOidc && !userEnv.OAUTH_PROVIDERS ? await startDevProvider(url) : undefined;
    if (devOidc) closers.push(() => devOidc.close());
    // The backend-wide settings every function gets (the stack's `commonEnv`): local defaults, then what the
    // developer exported, then what the caller (a test) asked for.
    const common: Record<string, string> = {
      ...devOidc?.env,
      ALLOWED_REDIRECT_ORIGINS: [url, `http://localhost:${port}`].join(','),
      ISSUER: url,
      CORS_ORIGINS: [url, `http://localhost:${port}`].join(','),
      POWERTOOLS_SERVICE_NAME: 'auth-local',
      // CloudWatch embedded metrics mean nothing locally; security events still log as JSON lines.
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...pick(
        process.env,
        /^(PUBLIC_URL|ALLOWED_REDIRECT_ORIGINS|MAGIC_LINK_[A-Z_]+|MAGIC_LINKS_ENABLED|EMAIL_CODE_MAX_ATTEMPTS|MAIL_MAX_PER_[A-Z]+|MAIL_WINDOW_SECONDS|REQUIRE_EMAIL_VERIFICATION|SIGNUP_[A-Z_]+|ADMIN_EMAILS|MFA_(POLICY|RECENT_SECONDS|TOKEN_TTL_SECONDS|MAX_ATTEMPTS_PER_[A-Z]+|WINDOW_SECONDS))$/,
      ),
      ...pick(
        process.env,
        /^(AUDIENCE|ACCESS_TOKEN_TTL_SECONDS|REFRESH_[A-Z_]+|PASSWORD_[A-Z_]+|LOGIN_[A-Z_]+|DEFAULT_ROLES|CORS_ORIGINS|MAX_BODY_BYTES|SIGNING_ALG|CLOCK_TOLERANCE_SECONDS|JWKS_[A-Z_]+|POWERTOOLS_LOG_LEVEL|ISSUER|KEY_RING_CACHE_SECONDS)$/,
      ),
      ...pick(
        process.env,
        /^(OAUTH_PROVIDERS|OAUTH_ALLOW_INSECURE_ISSUER|OAUTH_TRANSACTION_TTL_SECONDS|ALLOWED_REDIRECT_ORIGINS)$/,
      ),
      ...withoutResources(options.env ?? {}),
    };
    // Exported variables win (README): a KEY_RING_FILE of the developer's, else the one under the data folder.
    const keyRingFile = options.env?.KEY_RING_FILE ?? process.env.KEY_RING_FILE ?? join(dataDir, 'keyring.json');
    // The runner makes the ring before any function starts, as the stack's first rotation does at deploy: the
    // functions share the file, and two of them must never each create a ring of their own.
    if (!options.secretsManager) await new FileKeyRing(keyRingFile, signingAlg(common.SIGNING_ALG)).load();
    // The TOTP data key beside the ring, made before any function starts for the same reason.
    const mfaKey = { file: join(dirname(keyRingFile), 'mfa-data-key.json') };
    await ensureDataKeyFile(mfaKey.file);
    const sm = options.secretsManager;
    const keyRing = sm
      ? { secretId: sm.keyRingSecretId, publicKeysSecretId: sm.publicKeysSecretId }
      : { file: keyRingFile };
    const mailFrom = options.env?.MAIL_FROM ?? process.env.MAIL_FROM ?? LOCAL_MAIL_FROM;
    const mailDomain = mailFrom.split('@').pop()!;
    const tableName = (id: (typeof TABLES)[number]['id']) => tables[TABLES.find((t) => t.id === id)!.envVar];

    for (const fn of HOSTED) {
      const spec = specs[fn as AuthFunctionName];
      permissions.set(
        accessKeyIdOf(fn),
        localPermissions(spec, {
          table: (id) => arn('dynamodb', `table/${tableName(id)}`),
          mailResources: [arn('ses', `identity/${mailDomain}`)],
        }),
      );
      environments[fn] = {
        ...functionEnvironment(spec, common, {
          tableName,
          keyRing,
          mfaKey,
          jwksUrl: `${url}/.well-known/jwks.json`,
          authorizerCacheSeconds,
          mail: { from: mailFrom },
        }),
        ...lambdaRuntimeEnv(fn, spec.memorySize, {
          dynamodb: guard.endpoint,
          sesv2: mail.endpoint,
          secretsManager: sm?.endpoint,
        }),
      };
    }
    // Lets one-off commands (npm run admin:grant) find this run's DynamoDB Local and tables.
    await writeFile(
      join(dataDir, 'local-runtime.json'),
      JSON.stringify({ url, dynamoEndpoint: endpoint, tables }, null, 2),
    );
    corsOrigins.push(
      ...(common.CORS_ORIGINS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

    closers.push(async () => {
      await Promise.all(Object.values(functions).map((f) => f!.close()));
    });
    const warmUp = async () => {
      await Promise.all(HOSTED.map((fn) => functionOf(fn).ready));
      return [...importErrors];
    };
    // The authorizer and the JWKS it fetches stand in for part of the gateway: they are up before the runner
    // answers, so a valid token is never refused because a verifier was still starting.
    await Promise.all(['jwks', 'authorizer'].map((fn) => functionOf(fn).ready));
    if (options.warm) await warmUp();

    return {
      url,
      port,
      devOidcIssuer: devOidc?.issuer,
      tables,
      mail,
      importErrors,
      warmUp,
      environments,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/**
 * What Lambda itself puts in every execution environment, and where this runner's AWS clients go: the SDK's
 * own endpoint variables, and per-function credentials whose access key id names the caller to the stand-ins.
 */
function lambdaRuntimeEnv(
  fn: string,
  memoryMB: number,
  endpoints: { dynamodb: string; sesv2: string; secretsManager?: string },
): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: accessKeyIdOf(fn),
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_LAMBDA_FUNCTION_NAME: fn,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMB),
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${LAMBDA_NODE_MAJOR}.x`,
    TZ: 'UTC',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SESV2: endpoints.sesv2,
    ...(endpoints.secretsManager ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager } : {}),
    // Lambda runs Node 24, where the SDK has nothing to warn about; this runner may be on Node 20 (node-support.ts).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

const signingAlg = (alg: string | undefined): SigningAlg => (alg === 'EdDSA' || alg === 'RS256' ? alg : 'ES256');

/** The function's access key id: its name in letters and digits (DynamoDB Local refuses any other character). */
const accessKeyIdOf = (fn: string) => fn.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());

/** Table and secret variables come from each function's spec, never from the caller's env. */
function withoutResources(env: Record<string, string>): Record<string, string> {
  const managed = new Set([
    ...TABLES.map((t) => t.envVar),
    'KEY_RING_FILE',
    'KEY_RING_SECRET_ID',
    'PUBLIC_KEYS_SECRET_ID',
    'MFA_KEY_FILE',
    'MFA_KEY_SECRET_ID',
    'MAIL_FROM',
    'MAILER',
    'JWKS_URL',
    'DYNAMODB_ENDPOINT',
  ]);
  return Object.fromEntries(Object.entries(env).filter(([k]) => !managed.has(k)));
}

function devOutboxRoute(_req: IncomingMessage, res: ServerResponse, mail: SesStandIn): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(
    JSON.stringify(mail.mails().map(({ to, subject, text, html, sentAt }) => ({ to, subject, text, html, sentAt }))),
  );
}

function pick(env: NodeJS.ProcessEnv, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => pattern.test(e[0]) && e[1] !== undefined && e[1] !== ''),
  );
}

/** The local OpenID provider as provider `dev`: a fresh client secret per start, http allowed (loopback only). */
async function startDevProvider(url: string): Promise<DevOidc & { env: Record<string, string> }> {
  const client = {
    clientId: 'local-dev',
    clientSecret: randomBytes(24).toString('base64url'),
    redirectUris: [`${url}/auth/oauth/dev/callback`],
  };
  const oidc = await startDevOidc({ clients: () => [client] });
  return {
    ...oidc,
    env: {
      OAUTH_PROVIDERS: JSON.stringify({
        dev: { issuer: oidc.issuer, clientId: client.clientId, clientSecret: client.clientSecret },
      }),
      OAUTH_ALLOW_INSECURE_ISSUER: 'true',
    },
  };
}

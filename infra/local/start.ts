/**
 * Starts the whole backend locally: DynamoDB Local (tables created from the same definitions as the CDK
 * stack), a key ring file under `.data/`, every handler of the route table and the authorizer behind an
 * API-Gateway-like server on loopback. No AWS account, no Docker.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTables } from '../../shared/adapters/dynamo/create-tables.js';
import { outbox } from '../../shared/adapters/local/outbox.js';
import { ROUTES, type FunctionName } from '../../shared/routes.js';
import { startDynamoLocal } from './dynamo-local.js';
import { startDevOidc, type DevOidc } from './dev-oidc.js';
import { createGateway } from './gateway.js';
import { HANDLERS, loadAuthorizer } from './handlers.js';
import { demoRoutes } from './demo/serve.js';

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
}

export interface LocalBackend {
  url: string;
  port: number;
  /** The local OpenID provider's issuer, when `devOidc` started it. */
  devOidcIssuer?: string;
  close(): Promise<void>;
}

const FUNCTIONS: FunctionName[] = [...new Set(ROUTES.map((r) => r.fn))];

export async function startLocal(options: LocalOptions): Promise<LocalBackend> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir ?? '.data');
  await mkdir(dataDir, { recursive: true });
  const dynamo = options.dynamoEndpoint ? undefined : await startDynamoLocal({});
  const endpoint = options.dynamoEndpoint ?? dynamo!.endpoint;

  try {
    const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const tables = await createTables(client, options.tablePrefix ?? 'local-');
    client.destroy();

    // The server must listen before ISSUER is known when port 0 is asked for; handlers are imported after.
    let handlers: Record<string, (e: any, c: any) => Promise<unknown>> = {};
    let authorizer: (e: any, c: any) => Promise<unknown> = async () => {
      throw new Error('Unauthorized');
    };
    const corsOrigins: string[] = [];
    const server = createGateway({
      routes: ROUTES,
      get handlers() {
        return handlers;
      },
      authorizer: (e, c) => authorizer(e, c),
      corsOrigins,
      extraRoutes: {
        ...demoRoutes,
        // Local only, never deployed: the API description, generated from the same route table and schemas.
        'GET /openapi.json': async (_req, res) => {
          const { buildOpenApi } = await import('../openapi/document.js');
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(buildOpenApi()));
        },
        // Local only, never in ROUTES: the mails the handlers "sent" (MAILER=outbox), newest last.
        'GET /_dev/outbox': devOutboxRoute,
      },
      authorizerCacheSeconds: Number(options.env?.AUTHORIZER_CACHE_SECONDS ?? process.env.AUTHORIZER_CACHE_SECONDS ?? 60),
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port, host, () => ok());
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host}:${port}`;

    const userEnv = { ...pick(process.env, /^(OAUTH_PROVIDERS)$/), ...options.env };
    const devOidc: (DevOidc & { env: Record<string, string> }) | undefined = options.devOidc && !userEnv.OAUTH_PROVIDERS ? await startDevProvider(url) : undefined;
    const env: Record<string, string> = {
      ...devOidc?.env,
      ALLOWED_REDIRECT_ORIGINS: [url, `http://localhost:${port}`].join(','),
      ISSUER: url,
      CORS_ORIGINS: [url, `http://localhost:${port}`].join(','),
      DYNAMODB_ENDPOINT: endpoint,
      KEY_RING_FILE: join(dataDir, 'keyring.json'),
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_SERVICE_NAME: 'auth-local',
      // CloudWatch embedded metrics mean nothing locally; security events still log as JSON lines.
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...tables,
      MAILER: 'outbox',
      ...pick(process.env, /^(PUBLIC_URL|ALLOWED_REDIRECT_ORIGINS|MAGIC_LINK_[A-Z_]+|MAGIC_LINKS_ENABLED|EMAIL_CODE_MAX_ATTEMPTS|MAIL_MAX_PER_[A-Z]+|MAIL_WINDOW_SECONDS|REQUIRE_EMAIL_VERIFICATION)$/),
      ...pick(process.env, /^(AUDIENCE|ACCESS_TOKEN_TTL_SECONDS|REFRESH_|PASSWORD_|LOGIN_|DEFAULT_ROLES|CORS_ORIGINS|MAX_BODY_BYTES|SIGNING_ALG|CLOCK_TOLERANCE_SECONDS|JWKS_|POWERTOOLS_LOG_LEVEL|ISSUER)$/),
      ...pick(process.env, /^(OAUTH_PROVIDERS|OAUTH_ALLOW_INSECURE_ISSUER|OAUTH_TRANSACTION_TTL_SECONDS|ALLOWED_REDIRECT_ORIGINS)$/),
      ...options.env,
    };
    Object.assign(process.env, env);
    // Lets one-off commands (npm run admin:grant) find this run's DynamoDB Local and tables.
    await writeFile(join(dataDir, 'local-runtime.json'), JSON.stringify({ url, dynamoEndpoint: endpoint, tables }, null, 2));
    corsOrigins.push(...(process.env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean));

    const loaded = await Promise.all(
      FUNCTIONS.map(async (fn) => [fn, (await HANDLERS[fn]()).handler] as const),
    );
    handlers = Object.fromEntries(loaded);
    authorizer = (await loadAuthorizer()).handler;

    return {
      url,
      port,
      devOidcIssuer: devOidc?.issuer,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((ok) => server.close(() => ok()));
        await devOidc?.close();
        await dynamo?.stop();
      },
    };
  } catch (e) {
    await dynamo?.stop();
    throw e;
  }
}

function devOutboxRoute(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(outbox.list()));
}

function pick(env: NodeJS.ProcessEnv, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => pattern.test(e[0]) && e[1] !== undefined && e[1] !== ''));
}

/** The local OpenID provider as provider `dev`: a fresh client secret per start, http allowed (loopback only). */
async function startDevProvider(url: string): Promise<DevOidc & { env: Record<string, string> }> {
  const client = { clientId: 'local-dev', clientSecret: randomBytes(24).toString('base64url'), redirectUris: [`${url}/auth/oauth/dev/callback`] };
  const oidc = await startDevOidc({ clients: () => [client] });
  return {
    ...oidc,
    env: {
      OAUTH_PROVIDERS: JSON.stringify({ dev: { issuer: oidc.issuer, clientId: client.clientId, clientSecret: client.clientSecret } }),
      OAUTH_ALLOW_INSECURE_ISSUER: 'true',
    },
  };
}

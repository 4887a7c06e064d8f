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
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTables } from '../../shared/adapters/dynamo/create-tables.js';
import { TABLES } from '../../shared/adapters/dynamo/tables.js';
import { FileKeyRing } from '../../shared/adapters/local/file-key-ring.js';
import { ensureDataKeyFile } from '../../shared/adapters/mfa-data-key.js';
import type { SigningAlg } from '../../shared/domain/key-ring.js';
import { ROUTES, type FunctionName, type RouteDefinition } from '../../shared/routing/routes.js';
import {
  authorizerCacheSecondsDefault,
  functionEnvironment,
  MTLS_AUTHORIZER_CACHE_REFUSAL,
} from '../function-environment.js';
import { FUNCTION_SPECS, type AuthFunctionName } from '../function-specs.js';
import { startDynamoGuard } from './aws/dynamodb-guard.js';
import type { Statement } from './aws/iam.js';
import { localPermissions } from './aws/permissions.js';
import { startSesStandIn } from './aws/ses.js';
import { startDynamoLocal } from './dynamo-local.js';
import { devRoutes, startDevProvider } from './dev-routes.js';
import { functionPool } from './function-pool.js';
import { gatewayHandler } from './gateway.js';
import { accessKeyIdOf, lambdaRuntimeEnv, localArn as arn } from './lambda-runtime.js';
import { localCommonEnv, pick } from './local-environment.js';
import type { LocalBackend, LocalOptions } from './local-options.js';
import { demoRoutes } from './demo/serve.js';
import { startMutualTlsListener } from './mtls-listener.js';

export type { LocalBackend, LocalOptions } from './local-options.js';

/** The sender the local runner's mail functions are given (as `mailFrom` in the stack). */
export const LOCAL_MAIL_FROM = 'no-reply@auth.localhost.test';

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
    const guard = await startDynamoGuard({
      target: endpoint,
      permissionsOf,
      tableArn: (name) => arn('dynamodb', `table/${name}`),
      observe: options.onDynamoCall,
    });
    closers.push(() => guard.close());
    const mail = await startSesStandIn({ permissionsOf, arn: (resource) => arn('ses', resource) });
    closers.push(() => mail.close());
    const interpose = options.interpose ?? ((_service: string, endpoint: string) => Promise.resolve(endpoint));
    const functionEndpoints = {
      dynamodb: await interpose('dynamodb', guard.endpoint),
      sesv2: await interpose('sesv2', mail.endpoint),
    };

    // The environments are filled in once the server's URL is known, before anything can invoke a function.
    const environments: Record<string, Record<string, string>> = {};
    const pool = functionPool({ specs, environments, output: options.functionOutput });
    closers.push(() => pool.close());
    const corsOrigins: string[] = [];
    // As the stack: no authorizer cache in front of a mutual-TLS listener (S78, function-environment.ts).
    const authorizerCacheSeconds = Number(
      options.env?.AUTHORIZER_CACHE_SECONDS ??
        process.env.AUTHORIZER_CACHE_SECONDS ??
        authorizerCacheSecondsDefault(!!options.mtls),
    );
    if (options.mtls && authorizerCacheSeconds > 0)
      throw new Error(`AUTHORIZER_CACHE_SECONDS (${authorizerCacheSeconds}) ${MTLS_AUTHORIZER_CACHE_REFUSAL}`);
    const appRoutes = Object.entries(options.appRoutes ?? {}).map(([key, handler]) => {
      const [method, path] = key.split(' ');
      return { route: { method, path, fn: `app:${key}`, auth: {} } as unknown as RouteDefinition, handler };
    });
    const handle = gatewayHandler({
      routes: [...ROUTES, ...appRoutes.map((r) => r.route)],
      handlers: {
        ...Object.fromEntries(FUNCTIONS.map((fn) => [fn, pool.invoke(fn)])),
        ...Object.fromEntries(appRoutes.map((r) => [r.route.fn, r.handler])),
      },
      authorizer: pool.invoke('authorizer'),
      corsOrigins,
      extraRoutes: { ...demoRoutes, ...devRoutes(mail) },
      authorizerCacheSeconds,
    });
    const server = createServer((req, res) => void handle(req, res));
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
    const mtls = options.mtls && (await startMutualTlsListener(options.mtls, host, (q, r) => void handle(q, r)));
    if (mtls) closers.push(() => mtls.close());

    const userEnv = { ...pick(process.env, [/^OAUTH_PROVIDERS$/]), ...options.env };
    const devOidc = options.devOidc && !userEnv.OAUTH_PROVIDERS ? await startDevProvider(url) : undefined;
    if (devOidc) closers.push(() => devOidc.close());
    const common = localCommonEnv({
      url,
      port,
      devOidcEnv: devOidc?.env,
      // As the stack does from `mutualTls`: discovery advertises the mTLS token endpoint and tls_client_auth.
      env: { ...(mtls ? { MTLS_ENDPOINT: mtls.url } : {}), ...options.env },
    });
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
        ...lambdaRuntimeEnv(fn, spec.memorySize, { ...functionEndpoints, secretsManager: sm?.endpoint }),
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

    const warmUp = () => pool.warmUp(HOSTED);
    // The authorizer and the JWKS it fetches stand in for part of the gateway: they are up before the runner
    // answers, so a valid token is never refused because a verifier was still starting.
    await pool.warmUp(['jwks', 'authorizer']);
    if (options.warm) await warmUp();

    return {
      url,
      port,
      ...(mtls ? { mtls: { url: mtls.url, port: mtls.port, serverCertPem: mtls.serverCertPem } } : {}),
      devOidcIssuer: devOidc?.issuer,
      tables,
      mail,
      importErrors: pool.importErrors,
      warmUp,
      environments,
      functionHeaps: () => pool.heaps(),
      functionHeapsCollected: () => pool.collectedHeaps(),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

const signingAlg = (alg: string | undefined): SigningAlg => (alg === 'EdDSA' || alg === 'RS256' ? alg : 'ES256');

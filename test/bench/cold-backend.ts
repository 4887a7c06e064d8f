/**
 * The backend a cold-start sample's first invocation meets (test/bench/cold-start.ts): DynamoDB Local with every
 * table, and one loopback stand-in answering Secrets Manager `GetSecretValue` (the key ring, the JWKS, the TOTP
 * data key) and SES v2 `SendEmail`. The bundles reach them through `AWS_ENDPOINT_URL_*`, the variables the SDK
 * honours, with Lambda-style environment credentials; everything else of their environment is what the stack gives
 * them (`functionEnvironment`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDynamoClient } from '../../shared/adapters/dynamo/client.js';
import { createTables } from '../../shared/adapters/dynamo/create-tables.js';
import { TABLES } from '../../shared/adapters/dynamo/tables.js';
import { createRing, toJwks } from '../../shared/domain/key-ring.js';
import { startDynamoLocal } from '../../infra/local/dynamo-local.js';
import { functionEnvironment } from '../../infra/function-environment.js';
import type { FunctionSpec } from '../../infra/function-specs.js';
import { answerSecretValue } from './secret-answer.js';

const SECRET_IDS = { keyRing: 'cold-ring', publicKeys: 'cold-jwks', mfaKey: 'cold-mfa-key' } as const;

export interface ColdBackend {
  /** The environment of the function of `spec`, as Lambda gives it, pointed at the loopback backend. */
  env(spec: FunctionSpec): Record<string, string>;
  close(): Promise<void>;
}

/** Secrets Manager `GetSecretValue` (JSON 1.1, `x-amz-target`) and SES v2 `SendEmail` (REST JSON), on loopback. */
async function awsStandIn(secrets: Record<string, string>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url?.startsWith('/v2/email/outbound-emails')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: 'cold' }));
        return;
      }
      answerSecretValue(res, secrets, body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export async function startColdBackend(): Promise<ColdBackend> {
  const dynamo = await startDynamoLocal({});
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  const tables = await createTables(client, 'cold-');
  client.destroy();
  const ring = await createRing('ES256', new Date());
  const aws = await awsStandIn({
    [SECRET_IDS.keyRing]: JSON.stringify(ring),
    [SECRET_IDS.publicKeys]: JSON.stringify(toJwks(ring)),
    [SECRET_IDS.mfaKey]: JSON.stringify({ current: 'k1', k1: randomBytes(32).toString('base64url') }),
  });
  const common: Record<string, string> = {
    ISSUER: 'https://auth.example.test',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_SERVICE_NAME: 'auth',
    POWERTOOLS_METRICS_NAMESPACE: 'Auth',
  };
  const lambda: Record<string, string> = {
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'ASIACOLDSTART',
    AWS_SECRET_ACCESS_KEY: 'cold-start-secret',
    AWS_SESSION_TOKEN: 'cold-start-session',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_SESV2: aws.url,
  };
  return {
    env: (spec) => ({
      ...functionEnvironment(spec, common, {
        tableName: (id) => tables[TABLES.find((t) => t.id === id)!.envVar],
        keyRing: { secretId: SECRET_IDS.keyRing, publicKeysSecretId: SECRET_IDS.publicKeys },
        mfaKey: { secretId: SECRET_IDS.mfaKey },
        mail: { from: 'no-reply@example.test' },
        jwksUrl: 'https://auth.example.test/.well-known/jwks.json',
      }),
      ...lambda,
    }),
    close: async () => {
      await new Promise<void>((ok) => aws.server.close(() => ok()));
      await dynamo.stop();
    },
  };
}

/**
 * The rehearsal of a synthesized stack: what `cdk deploy` would create, on loopback. DynamoDB Local with the
 * template's tables (behind the DynamoDB guard), the Secrets Manager and SES v2 stand-ins, one Node process per
 * function with the template's environment (references resolved to these local endpoints and names) and its role's
 * permissions, and the template's HTTP API in front. The bundles reach the stand-ins only through the AWS SDK's own
 * endpoint variables (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL_SESV2`) and
 * sign with per-function credentials (`AWS_ACCESS_KEY_ID` = the function's logical id): no code path exists in
 * them for the rehearsal.
 *
 * `deploy()` then does what CloudFormation does after creating the resources: a secret's GenerateSecretString
 * becomes a random string, a rotation schedule with RotateImmediatelyOnUpdate starts a rotation, and each custom
 * resource's onEvent function gets its Create event.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Statement } from '../../infra/local/aws/iam.js';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../infra/local/aws/secrets-manager.js';
import { startDynamoGuard } from '../../infra/local/aws/dynamodb-guard.js';
import { startSesStandIn, type SentMail } from '../../infra/local/aws/ses.js';
import { resolveStack, type ResolvedStack, type StackArtifact } from './assembly.js';
import { startHttpApi, type HttpApi } from './http-api.js';
import { LambdaProcess, type InvokeOutcome, type LambdaLogEntry } from './lambda-process.js';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
/** The principal CloudFormation deploys as: it may do what the deployment does. */
const DEPLOYER = 'CloudFormation';

export interface RehearsalOptions {
  stack: StackArtifact;
  /** Bundles by logical id from another assembly, for a template synthesized with bundling skipped. */
  codeFrom?: StackArtifact;
  /** DynamoDB Local (test/helpers/global-setup.ts). */
  dynamoEndpoint: string;
  /** Secrets that exist outside the stack (an OAuth client secret an operator created), by ARN. */
  externalSecrets?: Record<string, string>;
  /** Process-level variables of the Lambda environment the template does not set (e.g. NODE_EXTRA_CA_CERTS). */
  runtimeEnv?: Record<string, string>;
}

export interface Problem {
  function: string;
  event: string;
  error: string;
  stderr: string;
}

export interface Rehearsal {
  readonly url: string;
  readonly stack: ResolvedStack;
  readonly secretsManager: SecretsManagerStandIn;
  /** A Secrets Manager client acting as the deployer (an operator with every permission). */
  readonly operatorSecrets: SecretsManagerClient;
  /** The function of a FUNCTION_SPECS name (`signup`, `rotate-keys`, …). */
  fn(name: string): LambdaProcess;
  /** The secret whose logical id starts with `Auth<Name>` (`KeyRing`, `PublicKeys`). */
  secretArn(name: string): string;
  deploy(): Promise<{ customResources: Record<string, unknown> }>;
  /** Starts every function's process (its init) two at a time; init errors become problems. */
  warm(): Promise<void>;
  mails(): SentMail[];
  /** Route keys of the template that reached their function, with the statuses they answered. */
  routesHit(): Map<string, Set<number>>;
  /** Init errors, failed invocations and 5xx answers, each with the function's stderr. */
  problems(): Problem[];
  close(): Promise<void>;
}

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());

export async function startRehearsal(options: RehearsalOptions): Promise<Rehearsal> {
  const runId = randomBytes(3).toString('hex');
  const gateway: HttpApi = await startHttpApi();
  const stack = resolveStack(
    options.stack,
    { region: REGION, accountId: ACCOUNT, apiEndpoint: gateway.endpoint, runId },
    options.codeFrom,
  );
  const permissionsOf = (caller: string): readonly Statement[] | undefined =>
    caller === DEPLOYER ? [{ actions: ['*'], resources: ['*'] }] : stack.permissions.get(caller);

  const logs: LambdaLogEntry[] = [];
  const processes = new Map<string, LambdaProcess>();
  const byArn = new Map<string, LambdaProcess>();
  const invoke = (logicalId: string, event: unknown, what: string): Promise<InvokeOutcome> => {
    const p = processes.get(logicalId);
    if (!p) throw new Error(`no function ${logicalId}`);
    return p.invoke(event, what);
  };

  const secretsManager = await startSecretsManagerStandIn({
    permissionsOf,
    region: REGION,
    accountId: ACCOUNT,
    invokeRotationLambda: async (arn, event) => {
      const p = byArn.get(arn);
      if (!p) throw new Error(`no rotation function ${arn}`);
      const outcome = await p.invoke(event, `rotation ${event.Step}`);
      if (!outcome.ok) throw new Error(`${outcome.name}: ${outcome.message}`);
    },
  });
  const guard = await startDynamoGuard({
    target: options.dynamoEndpoint,
    permissionsOf,
    tableArn: (name) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
  });
  const ses = await startSesStandIn({
    permissionsOf,
    arn: (resource) => `arn:aws:ses:${REGION}:${ACCOUNT}:${resource}`,
  });

  for (const fn of stack.functions.values()) {
    const env: Record<string, string> = {
      // What the Lambda runtime sets (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'rehearsal',
      AWS_ACCESS_KEY_ID: fn.logicalId,
      AWS_SECRET_ACCESS_KEY: 'rehearsal',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: '/usr/local/bin:/usr/bin/:/bin',
      // The AWS SDK's own endpoint variables: the only way the bundles learn of the stand-ins.
      AWS_ENDPOINT_URL_DYNAMODB: guard.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      ...options.runtimeEnv,
      ...fn.environment,
    };
    const p = new LambdaProcess(fn, env, (entry) => logs.push(entry));
    processes.set(fn.logicalId, p);
    byArn.set(fn.arn, p);
  }
  gateway.configure({ routes: stack.routes, cors: stack.cors, invoke });

  const operator = (endpoint: string) => ({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: DEPLOYER, secretAccessKey: 'x' },
  });
  const operatorSecrets = new SecretsManagerClient(operator(secretsManager.endpoint));
  const dynamo = new DynamoDBClient(operator(options.dynamoEndpoint));

  const fnIdOf = (name: string) => {
    const id = [...processes.keys()].find((k) => new RegExp(`^Auth${pascal(name)}Function[0-9A-F]{8}$`).test(k));
    if (!id) throw new Error(`${stack.stackName} has no function ${name}`);
    return id;
  };

  return {
    url: gateway.endpoint,
    stack,
    secretsManager,
    operatorSecrets,
    fn: (name) => processes.get(fnIdOf(name))!,
    secretArn(name) {
      const s = stack.secrets.find((x) => new RegExp(`^Auth${name}[0-9A-F]{8}$`).test(x.logicalId));
      if (!s) throw new Error(`no secret ${name}`);
      return s.arn;
    },
    async deploy() {
      for (const t of stack.tables) {
        const p = t.properties;
        await dynamo.send(
          new CreateTableCommand({
            TableName: t.name,
            AttributeDefinitions: p.AttributeDefinitions,
            KeySchema: p.KeySchema,
            BillingMode: p.BillingMode ?? 'PROVISIONED',
            ...(p.BillingMode === 'PAY_PER_REQUEST' ? {} : { ProvisionedThroughput: p.ProvisionedThroughput }),
            ...(p.GlobalSecondaryIndexes
              ? {
                  GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map((g: any) => ({
                    IndexName: g.IndexName,
                    KeySchema: g.KeySchema,
                    Projection: g.Projection,
                  })),
                }
              : {}),
          }),
        );
        if (p.TimeToLiveSpecification?.Enabled) {
          await dynamo.send(
            new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: p.TimeToLiveSpecification }),
          );
        }
      }
      for (const s of stack.secrets) {
        secretsManager.seed({
          name: s.name,
          arn: s.arn,
          value: s.secretString ?? generateSecretString(s.generateSecretString ?? {}),
          rotationLambdaArn: s.rotation?.lambdaArn,
        });
      }
      for (const [arn, value] of Object.entries(options.externalSecrets ?? {})) {
        secretsManager.seed({ name: arn.split(':secret:')[1].slice(0, -7), arn, value });
      }
      for (const s of stack.secrets) {
        // CloudFormation starts the rotation and does not wait for it.
        if (s.rotation?.rotateImmediatelyOnUpdate)
          await operatorSecrets.send(new RotateSecretCommand({ SecretId: s.arn }));
      }
      const customResources: Record<string, unknown> = {};
      for (const cr of stack.customResources) {
        // What the custom-resources Provider framework hands the onEvent function.
        const event = {
          RequestType: 'Create',
          ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:provider-framework-onEvent`,
          ResponseURL: 'https://cloudformation-custom-resource-response.invalid/',
          StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stack.stackName}/rehearsal`,
          RequestId: randomUUID(),
          LogicalResourceId: cr.logicalId,
          ResourceType: cr.type,
          ResourceProperties: { ServiceToken: 'provider-framework', ...cr.properties },
        };
        const outcome = await invoke(cr.onEventFunctionLogicalId, event, `custom resource ${cr.logicalId} Create`);
        if (!outcome.ok)
          throw new Error(
            `deploy failed: ${cr.logicalId} (${cr.onEventFunctionLogicalId}): ${outcome.name}: ${outcome.message}`,
          );
        customResources[cr.logicalId] = outcome.result;
      }
      return { customResources };
    },
    async warm() {
      const queue = [...processes.values()].filter((p) => p.definition.codeDir);
      await Promise.all(
        [0, 1].map(async () => {
          for (let p = queue.shift(); p; p = queue.shift()) await p.warm();
        }),
      );
    },
    mails: () => ses.mails(),
    routesHit: () => gateway.hits,
    problems() {
      const out: Problem[] = [];
      for (const p of processes.values()) {
        for (const f of p.failures) {
          // The authorizer's way to say 401 (API Gateway turns the thrown "Unauthorized" into one).
          if (
            f.outcome.kind === 'handler' &&
            f.outcome.message === 'Unauthorized' &&
            f.event.startsWith('authorizer for')
          )
            continue;
          out.push({
            function: p.definition.logicalId,
            event: f.event,
            error: `${f.outcome.kind}: ${f.outcome.name}: ${f.outcome.message}`,
            stderr: logs
              .filter((l) => l.function === p.definition.logicalId && l.stream === 'stderr')
              .map((l) => l.text)
              .join('')
              .slice(-2000),
          });
        }
      }
      for (const e of gateway.serverErrors) {
        if (!out.some((p) => p.event === e.routeKey))
          out.push({ function: '(gateway)', event: e.routeKey, error: `${e.status}: ${e.reason}`, stderr: '' });
      }
      return out;
    },
    async close() {
      for (const p of processes.values()) p.stop();
      await Promise.allSettled([gateway.close(), secretsManager.close(), guard.close(), ses.close()]);
      operatorSecrets.destroy();
      dynamo.destroy();
    },
  };
}

/**
 * A CloudFormation GenerateSecretString: a random password of PasswordLength (default 32), or, with
 * SecretStringTemplate and GenerateStringKey, that JSON with the password under the key (the MFA data key).
 */
function generateSecretString(g: {
  PasswordLength?: number;
  ExcludePunctuation?: boolean;
  ExcludeCharacters?: string;
  SecretStringTemplate?: string;
  GenerateStringKey?: string;
}): string {
  if (g.SecretStringTemplate && g.GenerateStringKey) {
    const { SecretStringTemplate, GenerateStringKey, ...rest } = g;
    return JSON.stringify({ ...JSON.parse(SecretStringTemplate), [GenerateStringKey]: generateSecretString(rest) });
  }
  const alphabet = [
    ...`abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789${g.ExcludePunctuation ? '' : '!#$%&()*+,-./:;<=>?@[]^_{|}~'}`,
  ].filter((c) => !(g.ExcludeCharacters ?? '').includes(c));
  return Array.from({ length: g.PasswordLength ?? 32 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/**
 * A loopback stand-in for AWS Secrets Manager, reached by the AWS SDK through `AWS_ENDPOINT_URL_SECRETS_MANAGER`
 * (JSON 1.1 protocol, `X-Amz-Target: secretsmanager.<Operation>`), for the rehearsal of the synthesized bundles and
 * the adapter tests. It keeps the service's version-stage semantics, which the key-ring rotation depends on:
 *
 * - a version is a value under a version id (the `ClientRequestToken`); a staging label is on at most one version;
 *   moving `AWSCURRENT` puts `AWSPREVIOUS` on the version that held it;
 * - `PutSecretValue` of a different value under an existing version id is refused (`ResourceExistsException`), the
 *   same value again is an idempotent retry;
 * - `RotateSecret` first stages a new version id as `AWSPENDING` with no value, then invokes the rotation Lambda with
 *   createSecret → setSecret → testSecret → finishSecret (asynchronously, as the service does), and refuses to start
 *   while an earlier rotation's `AWSPENDING` is not also `AWSCURRENT`.
 *
 * Every call is checked against the caller's identity-based policy (`iam.ts`), by the access key id it signs with,
 * on the secret's ARN: a function that may not read a secret gets `AccessDeniedException` as it would on AWS.
 * Not modelled: resource policies, KMS, binary secrets beyond pass-through, deletion, replication, tags.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callerOf, isAllowed, accessDeniedMessage, type PermissionsOf } from './iam.js';
import { secretsManagerOperations, type Input } from './secrets-manager-operations.js';
import { ServiceError, secretState, type SeedSecretInput } from './secrets-manager-state.js';

export type { SeedSecretInput } from './secrets-manager-state.js';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** The event Secrets Manager sends a rotation Lambda, one per step. */
export interface RotationStepEvent {
  Step: RotationStep;
  SecretId: string;
  ClientRequestToken: string;
}

export interface SecretsManagerStandInOptions {
  permissionsOf: PermissionsOf;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  /**
   * Runs one step of a rotation Lambda, as the service invokes it (with the function's own role, not the caller's).
   * @default - RotateSecret answers InvalidRequestException (no Lambda to invoke)
   */
  invokeRotationLambda?: (lambdaArn: string, event: RotationStepEvent) => Promise<void>;
}

export interface RotationRecord {
  secretArn: string;
  versionId: string;
  /** The step that failed and its error; undefined when all four succeeded. */
  failed?: { step: RotationStep; message: string };
}

export interface SecretsManagerStandIn {
  /** e.g. `http://127.0.0.1:41234`: the value of `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** Creates a secret as a deployment would (no permission check). Returns its ARN. */
  seed(input: SeedSecretInput): string;
  /** Resolves when every rotation started so far has run its four steps (or failed); returns them all. */
  settled(): Promise<RotationRecord[]>;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/**
 * @example
 * const sm = await startSecretsManagerStandIn({ permissionsOf: (akid) => POLICIES[akid] });
 * const arn = sm.seed({ name: 'key-ring', value: 'placeholder', rotationLambdaArn });
 * process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.endpoint;
 */
export async function startSecretsManagerStandIn(
  options: SecretsManagerStandInOptions,
): Promise<SecretsManagerStandIn> {
  const state = secretState(options.region ?? 'us-east-1', options.accountId ?? '000000000000');
  const rotations: Promise<RotationRecord>[] = [];
  const operations = secretsManagerOperations(state, options, rotations);

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent)
        reply(res, 500, { __type: 'InternalServiceError', message: 'An error occurred on the server side.' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
    const body = await readBody(req);
    const op = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (req.method !== 'POST' || !op)
      return reply(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
    const caller = callerOf(req.headers.authorization);
    if (!caller)
      return reply(res, 400, {
        __type: 'MissingAuthenticationTokenException',
        message: 'Missing Authentication Token',
      });
    if (body === undefined)
      return reply(res, 413, { __type: 'RequestEntityTooLargeException', message: 'Request too large' });
    let input: Input;
    try {
      input = JSON.parse(body) as Input;
      if (!input || typeof input !== 'object') throw new Error('not an object');
    } catch {
      return reply(res, 400, {
        __type: 'SerializationException',
        message: 'Start of structure or map found where not expected.',
      });
    }
    try {
      const resource = op.resource(input);
      const action = `secretsmanager:${name}`;
      if (!isAllowed(options.permissionsOf(caller), action, resource)) {
        throw new ServiceError('AccessDeniedException', accessDeniedMessage(caller, action, resource));
      }
      reply(res, 200, op.run(input, caller));
    } catch (e) {
      if (e instanceof ServiceError) return reply(res, 400, { __type: e.type, message: e.message });
      throw e;
    }
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seed: state.seed,
    async settled() {
      let seen = -1;
      // A rotation may start another (a retry): wait until no new one appeared.
      while (seen !== rotations.length) {
        seen = rotations.length;
        await Promise.all(rotations);
      }
      return Promise.all(rotations);
    },
    async close() {
      await Promise.allSettled(rotations);
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
/** The body, or undefined above 1 MiB (the service's request limit is far below it). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : '{}';
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomBytes(16).toString('hex'),
  });
  res.end(JSON.stringify(body));
}

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
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessDeniedMessage, callerOf, isAllowed, type PermissionsOf } from './iam.js';

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

export interface SeedSecretInput {
  name: string;
  /** @default - `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>`, as the service names it */
  arn?: string;
  /** The initial AWSCURRENT value (a template's GenerateSecretString: a random string). @default - no version */
  value?: string;
  /** The rotation Lambda, as an `AWS::SecretsManager::RotationSchedule` sets it. @default - no rotation */
  rotationLambdaArn?: string;
  description?: string;
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

interface Version {
  value?: { SecretString?: string; SecretBinary?: string };
  stages: Set<string>;
  createdDate: number;
}

interface SecretRecord {
  arn: string;
  name: string;
  description?: string;
  versions: Map<string, Version>;
  rotationLambdaArn?: string;
  rotationRules?: unknown;
  rotationEnabled: boolean;
  createdDate: number;
  lastChangedDate: number;
  lastRotatedDate?: number;
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type Input = Record<string, any>;
const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';
const PREVIOUS = 'AWSPREVIOUS';
const epochSeconds = () => Date.now() / 1000;
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
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const secrets = new Map<string, SecretRecord>();
  const rotations: Promise<RotationRecord>[] = [];

  const arnFor = (name: string) => {
    const suffix = Array.from(
      { length: 6 },
      () => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[randomInt(62)],
    ).join('');
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
  };

  /** By full ARN, by name, or by partial ARN (without the random suffix), as the service resolves a SecretId. */
  const find = (secretId: unknown): SecretRecord | undefined => {
    if (typeof secretId !== 'string' || secretId === '') return undefined;
    for (const s of secrets.values()) {
      if (s.arn === secretId || s.name === secretId || s.arn.replace(/-[A-Za-z0-9]{6}$/, '') === secretId) return s;
    }
    return undefined;
  };
  const mustFind = (secretId: unknown): SecretRecord => {
    const s = find(secretId);
    if (!s) throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return s;
  };

  /** Puts a label on one version only; moving AWSCURRENT leaves AWSPREVIOUS on the version that held it. */
  const attachStage = (s: SecretRecord, stage: string, versionId: string) => {
    const target = s.versions.get(versionId)!;
    for (const [id, v] of s.versions) {
      if (id === versionId || !v.stages.has(stage)) continue;
      v.stages.delete(stage);
      if (stage === CURRENT) {
        for (const other of s.versions.values()) other.stages.delete(PREVIOUS);
        v.stages.add(PREVIOUS);
      }
    }
    if (stage === CURRENT) target.stages.delete(PREVIOUS);
    target.stages.add(stage);
    s.lastChangedDate = epochSeconds();
  };

  const versionIdWithStage = (s: SecretRecord, stage: string) =>
    [...s.versions].find(([, v]) => v.stages.has(stage))?.[0];

  const seed = (input: SeedSecretInput): string => {
    if (find(input.name)) throw new Error(`secret ${input.name} exists`);
    const now = epochSeconds();
    const s: SecretRecord = {
      arn: input.arn ?? arnFor(input.name),
      name: input.name,
      description: input.description,
      versions: new Map(),
      rotationLambdaArn: input.rotationLambdaArn,
      rotationEnabled: input.rotationLambdaArn !== undefined,
      createdDate: now,
      lastChangedDate: now,
    };
    secrets.set(s.arn, s);
    if (input.value !== undefined)
      s.versions.set(randomUUID(), {
        value: { SecretString: input.value },
        stages: new Set([CURRENT]),
        createdDate: now,
      });
    return s.arn;
  };

  const rotate = async (s: SecretRecord, lambdaArn: string, versionId: string): Promise<RotationRecord> => {
    const record: RotationRecord = { secretArn: s.arn, versionId };
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      try {
        await options.invokeRotationLambda!(lambdaArn, { Step: step, SecretId: s.arn, ClientRequestToken: versionId });
      } catch (e) {
        // The service leaves AWSPENDING where it is; the next RotateSecret retries with the same version.
        return { ...record, failed: { step, message: e instanceof Error ? e.message : String(e) } };
      }
    }
    const version = s.versions.get(versionId);
    // After a successful finishSecret the service drops AWSPENDING from the version that is now current.
    if (version?.stages.has(CURRENT)) version.stages.delete(PENDING);
    s.lastRotatedDate = epochSeconds();
    return record;
  };

  const describe = (s: SecretRecord) => ({
    ARN: s.arn,
    Name: s.name,
    ...(s.description ? { Description: s.description } : {}),
    RotationEnabled: s.rotationEnabled,
    ...(s.rotationLambdaArn ? { RotationLambdaARN: s.rotationLambdaArn } : {}),
    ...(s.rotationRules ? { RotationRules: s.rotationRules } : {}),
    CreatedDate: s.createdDate,
    LastChangedDate: s.lastChangedDate,
    ...(s.lastRotatedDate ? { LastRotatedDate: s.lastRotatedDate } : {}),
    VersionIdsToStages: Object.fromEntries(
      [...s.versions].filter(([, v]) => v.stages.size).map(([id, v]) => [id, [...v.stages]]),
    ),
  });

  /** Each operation: the IAM action, the resource it is checked on, and what it does. */
  const operations: Record<
    string,
    { resource: (input: Input) => string; run: (input: Input, caller: string) => unknown }
  > = {
    CreateSecret: {
      resource: (i) =>
        find(i.Name)?.arn ?? `arn:aws:secretsmanager:${region}:${accountId}:secret:${String(i.Name)}-??????`,
      run(i) {
        if (typeof i.Name !== 'string' || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(i.Name)) {
          throw new ServiceError(
            'InvalidParameterException',
            'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
          );
        }
        if (find(i.Name))
          throw new ServiceError(
            'ResourceExistsException',
            `The operation failed because the secret ${i.Name} already exists.`,
          );
        const arn = seed({ name: i.Name, description: i.Description });
        const s = secrets.get(arn)!;
        let versionId: string | undefined;
        if (i.SecretString !== undefined || i.SecretBinary !== undefined) {
          versionId = typeof i.ClientRequestToken === 'string' ? i.ClientRequestToken : randomUUID();
          s.versions.set(versionId, { value: valueOf(i), stages: new Set([CURRENT]), createdDate: epochSeconds() });
        }
        return { ARN: arn, Name: s.name, ...(versionId ? { VersionId: versionId } : {}) };
      },
    },
    GetSecretValue: {
      resource: (i) => mustFind(i.SecretId).arn,
      run(i) {
        const s = mustFind(i.SecretId);
        const stage = typeof i.VersionStage === 'string' ? i.VersionStage : undefined;
        const id = typeof i.VersionId === 'string' ? i.VersionId : versionIdWithStage(s, stage ?? CURRENT);
        const version = id === undefined ? undefined : s.versions.get(id);
        if (!version || (stage !== undefined && !version.stages.has(stage)) || !version.value) {
          throw new ServiceError(
            'ResourceNotFoundException',
            i.VersionId !== undefined
              ? `Secrets Manager can't find the specified secret value for VersionId: ${String(i.VersionId)}`
              : `Secrets Manager can't find the specified secret value for staging label: ${stage ?? CURRENT}`,
          );
        }
        return {
          ARN: s.arn,
          Name: s.name,
          VersionId: id,
          ...version.value,
          VersionStages: [...version.stages],
          CreatedDate: version.createdDate,
        };
      },
    },
    PutSecretValue: {
      resource: (i) => mustFind(i.SecretId).arn,
      run(i) {
        const s = mustFind(i.SecretId);
        if (i.SecretString === undefined && i.SecretBinary === undefined) {
          throw new ServiceError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
        }
        const versionId = typeof i.ClientRequestToken === 'string' ? i.ClientRequestToken : randomUUID();
        if (versionId.length < 32 || versionId.length > 64) {
          throw new ServiceError('InvalidParameterException', 'ClientRequestToken must be 32-64 characters long.');
        }
        const stages: string[] = Array.isArray(i.VersionStages) ? i.VersionStages : [CURRENT];
        const value = valueOf(i);
        const existing = s.versions.get(versionId);
        if (existing?.value) {
          if (JSON.stringify(existing.value) !== JSON.stringify(value)) {
            throw new ServiceError(
              'ResourceExistsException',
              "You can't modify an existing version, you can only create a new version.",
            );
          }
          // The same value under the same token: a retry of a call that already succeeded.
          return { ARN: s.arn, Name: s.name, VersionId: versionId, VersionStages: [...existing.stages] };
        }
        // A new version, or the value of the version id RotateSecret staged as AWSPENDING without one.
        s.versions.set(versionId, { value, stages: existing?.stages ?? new Set(), createdDate: epochSeconds() });
        for (const stage of stages) attachStage(s, stage, versionId);
        s.lastChangedDate = epochSeconds();
        return {
          ARN: s.arn,
          Name: s.name,
          VersionId: versionId,
          VersionStages: [...s.versions.get(versionId)!.stages],
        };
      },
    },
    DescribeSecret: {
      resource: (i) => mustFind(i.SecretId).arn,
      run: (i) => describe(mustFind(i.SecretId)),
    },
    UpdateSecretVersionStage: {
      resource: (i) => mustFind(i.SecretId).arn,
      run(i) {
        const s = mustFind(i.SecretId);
        const stage = i.VersionStage;
        if (typeof stage !== 'string' || stage === '')
          throw new ServiceError('InvalidParameterException', 'VersionStage is required.');
        const holder = versionIdWithStage(s, stage);
        const { MoveToVersionId: moveTo, RemoveFromVersionId: removeFrom } = i as {
          MoveToVersionId?: string;
          RemoveFromVersionId?: string;
        };
        if (moveTo !== undefined && !s.versions.has(moveTo)) {
          throw new ServiceError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret version: ${moveTo}`,
          );
        }
        if (removeFrom !== undefined && removeFrom !== holder) {
          throw new ServiceError(
            'InvalidParameterException',
            `The staging label ${stage} is not attached to version ${removeFrom}.`,
          );
        }
        if (moveTo !== undefined && holder !== undefined && holder !== moveTo && removeFrom === undefined) {
          throw new ServiceError(
            'InvalidParameterException',
            `The staging label ${stage} is currently attached to version ${holder}, but you have attempted to move it without removing it from that version.`,
          );
        }
        if (moveTo !== undefined) attachStage(s, stage, moveTo);
        else if (removeFrom !== undefined) {
          if (stage === CURRENT)
            throw new ServiceError(
              'InvalidParameterException',
              "You can't remove the AWSCURRENT staging label without moving it.",
            );
          s.versions.get(removeFrom)!.stages.delete(stage);
        }
        return { ARN: s.arn, Name: s.name };
      },
    },
    GetRandomPassword: {
      // This action supports no resource-level permission: policies grant it on *.
      resource: () => '*',
      run: (i) => ({ RandomPassword: randomPassword(i) }),
    },
    RotateSecret: {
      resource: (i) => mustFind(i.SecretId).arn,
      run(i, caller) {
        const s = mustFind(i.SecretId);
        const lambdaArn: string | undefined =
          typeof i.RotationLambdaARN === 'string' ? i.RotationLambdaARN : s.rotationLambdaArn;
        if (!lambdaArn || !options.invokeRotationLambda) {
          throw new ServiceError(
            'InvalidRequestException',
            'No Lambda rotation function ARN is associated with this secret.',
          );
        }
        // The caller also needs to be allowed to invoke the rotation function (as documented for RotateSecret).
        if (!isAllowed(options.permissionsOf(caller), 'lambda:InvokeFunction', lambdaArn)) {
          throw new ServiceError(
            'AccessDeniedException',
            accessDeniedMessage(caller, 'lambda:InvokeFunction', lambdaArn),
          );
        }
        const pending = versionIdWithStage(s, PENDING);
        if (pending !== undefined && !s.versions.get(pending)!.stages.has(CURRENT)) {
          throw new ServiceError(
            'InvalidRequestException',
            "A previous rotation isn't complete. That rotation will be reattempted.",
          );
        }
        s.rotationLambdaArn = lambdaArn;
        s.rotationEnabled = true;
        if (i.RotationRules !== undefined) s.rotationRules = i.RotationRules;
        const versionId: string = typeof i.ClientRequestToken === 'string' ? i.ClientRequestToken : randomUUID();
        if (i.RotateImmediately === false) return { ARN: s.arn, Name: s.name };
        // The new version id exists, labelled AWSPENDING, before the Lambda's createSecret gives it a value.
        if (pending !== undefined) s.versions.get(pending)!.stages.delete(PENDING);
        s.versions.set(versionId, { stages: new Set([PENDING]), createdDate: epochSeconds() });
        // Asynchronous, as on AWS: the call returns while the four steps run.
        rotations.push(new Promise<void>((ok) => setImmediate(ok)).then(() => rotate(s, lambdaArn, versionId)));
        return { ARN: s.arn, Name: s.name, VersionId: versionId };
      },
    },
  };

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
    seed,
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

function valueOf(i: Input): Version['value'] {
  return i.SecretString !== undefined
    ? { SecretString: String(i.SecretString) }
    : { SecretBinary: String(i.SecretBinary) };
}

function randomPassword(i: Input): string {
  const length = typeof i.PasswordLength === 'number' ? i.PasswordLength : 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096)
    throw new ServiceError('InvalidParameterException', 'PasswordLength must be from 1 to 4096.');
  const exclude = new Set(String(i.ExcludeCharacters ?? ''));
  const sets = [
    i.ExcludeLowercase ? '' : 'abcdefghijklmnopqrstuvwxyz',
    i.ExcludeUppercase ? '' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    i.ExcludeNumbers ? '' : '0123456789',
    i.ExcludePunctuation ? '' : '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
    i.IncludeSpace ? ' ' : '',
  ]
    .map((set) => [...set].filter((c) => !exclude.has(c)).join(''))
    .filter(Boolean);
  const alphabet = sets.join('');
  if (!alphabet)
    throw new ServiceError('InvalidParameterException', 'No characters are left to build a password from.');
  for (;;) {
    const password = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
    // RequireEachIncludedType defaults to true.
    if (
      i.RequireEachIncludedType === false ||
      length < sets.length ||
      sets.every((set) => [...password].some((c) => set.includes(c)))
    ) {
      return password;
    }
  }
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

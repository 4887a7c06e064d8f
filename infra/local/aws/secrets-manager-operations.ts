/**
 * The operations of the Secrets Manager stand-in (secrets-manager.ts): for each, the IAM action's resource and what
 * it does. `PutSecretValue` of a different value under an existing version id is refused, the same value again is
 * an idempotent retry; `RotateSecret` stages a new version id as `AWSPENDING` with no value, then runs the rotation
 * Lambda's four steps asynchronously, and refuses to start while an earlier rotation's `AWSPENDING` is not current.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { accessDeniedMessage, isAllowed } from './iam.js';
import type { RotationRecord, SecretsManagerStandInOptions } from './secrets-manager.js';
import {
  CURRENT,
  PENDING,
  ServiceError,
  epochSeconds,
  type SecretRecord,
  type SecretState,
  type Version,
} from './secrets-manager-state.js';

export type Input = Record<string, any>;

export type Operations = Record<
  string,
  { resource: (input: Input) => string; run: (input: Input, caller: string) => unknown }
>;

export function secretsManagerOperations(
  state: SecretState,
  options: SecretsManagerStandInOptions,
  rotations: Promise<RotationRecord>[],
): Operations {
  const { region, accountId, secrets, find, mustFind, attachStage, versionIdWithStage, seed, describe } = state;

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

  return {
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

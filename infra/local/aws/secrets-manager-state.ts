/**
 * The secrets of the Secrets Manager stand-in (secrets-manager.ts) and their version-stage semantics: a version is
 * a value under a version id; a staging label is on at most one version; moving `AWSCURRENT` puts `AWSPREVIOUS`
 * on the version that held it. A SecretId resolves by full ARN, by name or by partial ARN, as the service does.
 */
import { randomInt, randomUUID } from 'node:crypto';

export interface Version {
  value?: { SecretString?: string; SecretBinary?: string };
  stages: Set<string>;
  createdDate: number;
}

export interface SecretRecord {
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

export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';
export const PREVIOUS = 'AWSPREVIOUS';
export const epochSeconds = () => Date.now() / 1000;

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

export type SecretState = ReturnType<typeof secretState>;

export function secretState(region: string, accountId: string) {
  const secrets = new Map<string, SecretRecord>();

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

  return { region, accountId, secrets, find, mustFind, attachStage, versionIdWithStage, seed, describe };
}

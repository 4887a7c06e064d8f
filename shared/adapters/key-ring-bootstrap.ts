import { DescribeSecretCommand, RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** What the custom-resources Provider framework hands its onEvent function (the parts used here). */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
}

export interface CustomResourceResult {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

export interface KeyRingBootstrapOptions {
  client: SecretsManagerClient;
  /** The key ring secret (its rotation function is set by the stack's rotation schedule). */
  secretId: string;
  /** How long to wait for the rotation to finish; keep it below the function's timeout. */
  waitMs: number;
  /** @default 1000 */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const PHYSICAL_ID = 'signing-key-ring';

/**
 * The onEvent handler of the `KeyRingBootstrap` custom resource: `cdk deploy` finishes only once the signing key
 * ring exists, so the first sign-in after the first deploy can sign a token (no 503 window). On Create and Update
 * it returns at once when the secret was rotated before (only the rotation function writes it, and it writes a
 * ring); otherwise it asks Secrets Manager to rotate the secret (the rotation function's four steps replace the
 * placeholder) and returns once that version is AWSCURRENT. A rotation already under way (InvalidRequestException)
 * is waited for, not restarted. Delete does nothing: the ring outlives the resource (the stack retains it).
 *
 * It never reads the secret's value (DescribeSecret only): the private ring stays readable by the signers and the
 * rotation function alone (S44).
 */
export function createKeyRingBootstrap(options: KeyRingBootstrapOptions) {
  const { client, secretId } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  const now = options.now ?? Date.now;
  const describe = () => client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const versionWith = (stages: Record<string, string[]> | undefined, stage: string) =>
    Object.entries(stages ?? {}).find(([, s]) => s.includes(stage))?.[0];

  return async (event: CustomResourceEvent): Promise<CustomResourceResult> => {
    const PhysicalResourceId = event.PhysicalResourceId ?? PHYSICAL_ID;
    if (event.RequestType === 'Delete') return { PhysicalResourceId };
    const before = await describe();
    const done = (versionId: string | undefined) => ({
      PhysicalResourceId,
      Data: { CurrentVersionId: versionId ?? '' },
    });
    if (before.LastRotatedDate) return done(versionWith(before.VersionIdsToStages, 'AWSCURRENT'));

    let versionId: string | undefined;
    try {
      versionId = (await client.send(new RotateSecretCommand({ SecretId: secretId }))).VersionId;
    } catch (e) {
      // "A previous rotation isn't complete": a rotation is running; wait for it instead.
      if (!(e instanceof Error && e.name === 'InvalidRequestException')) throw e;
      versionId = versionWith((await describe()).VersionIdsToStages, 'AWSPENDING');
    }
    const deadline = now() + options.waitMs;
    for (;;) {
      const meta = await describe();
      const current = versionWith(meta.VersionIdsToStages, 'AWSCURRENT');
      if (versionId ? current === versionId : meta.LastRotatedDate !== undefined) return done(current);
      if (now() >= deadline) {
        throw new Error(
          `the signing key ring rotation did not finish within ${Math.round(options.waitMs / 1000)} s; see the logs of the rotation function`,
        );
      }
      await sleep(options.pollMs ?? 1000);
    }
  };
}

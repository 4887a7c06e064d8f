import { GetSecretValueCommand, RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { currentKey, parseRing } from '../domain/key-ring.js';

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
  /** How long to wait for the rotation to write the ring; keep it below the function's timeout. */
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
 * it returns at once when AWSCURRENT already holds a ring; otherwise it asks Secrets Manager to rotate the secret
 * (which runs the rotation function's four steps, replacing the placeholder) and polls AWSCURRENT until the ring is
 * there. A rotation already under way (InvalidRequestException) is waited for, not restarted. Delete does nothing:
 * the ring outlives the resource (it is retained with the stack's removal policy).
 */
export function createKeyRingBootstrap(options: KeyRingBootstrapOptions) {
  const { client, secretId } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((ok) => setTimeout(ok, ms)));
  const now = options.now ?? Date.now;

  const currentKid = async (): Promise<string | undefined> => {
    const r = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
    const ring = parseRing(r.SecretString);
    return ring ? currentKey(ring).kid : undefined;
  };

  return async (event: CustomResourceEvent): Promise<CustomResourceResult> => {
    const PhysicalResourceId = event.PhysicalResourceId ?? PHYSICAL_ID;
    if (event.RequestType === 'Delete') return { PhysicalResourceId };
    let kid = await currentKid();
    if (kid) return { PhysicalResourceId, Data: { CurrentKid: kid } };
    try {
      await client.send(new RotateSecretCommand({ SecretId: secretId }));
    } catch (e) {
      // "A previous rotation isn't complete": the schedule's own rotation is running; wait for it instead.
      if (!(e instanceof Error && e.name === 'InvalidRequestException')) throw e;
    }
    const deadline = now() + options.waitMs;
    while (!(kid = await currentKid())) {
      if (now() >= deadline) {
        throw new Error(`the signing key ring was not written within ${Math.round(options.waitMs / 1000)} s; see the logs of the rotation function`);
      }
      await sleep(options.pollMs ?? 1000);
    }
    return { PhysicalResourceId, Data: { CurrentKid: kid } };
  };
}

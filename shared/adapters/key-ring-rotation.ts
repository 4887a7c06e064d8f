import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { createRing, currentKey, parseRing, rotateRing, toJwks, type SigningAlg } from '../domain/key-ring.js';
import { securityEvent } from '../observability/log.js';
import type { KeyRingDocument } from '../ports/key-ring.js';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

export interface RotationEvent {
  Step: RotationStep;
  SecretId: string;
  ClientRequestToken: string;
}

export interface RotationOptions {
  client: SecretsManagerClient;
  /** The secret that receives the public JWKS (read by the JWKS endpoint). */
  publicKeysSecretId: string;
  alg: SigningAlg;
  now?: () => Date;
}

const isNotFound = (e: unknown) => e instanceof Error && e.name === 'ResourceNotFoundException';

/**
 * The four Secrets Manager rotation steps for the signing key ring. createSecret stages the rotated ring
 * (or a fresh ring on first deploy, when the secret still holds its placeholder) as AWSPENDING;
 * setSecret publishes the pending ring's public keys, so the new `next` key is known to every verifier
 * before AWSCURRENT moves; testSecret signs and verifies with the pending ring; finishSecret moves
 * AWSCURRENT. Each step is idempotent, as Secrets Manager may retry it.
 */
export function createRotationHandler(options: RotationOptions) {
  const { client } = options;
  const now = options.now ?? (() => new Date());

  const read = async (SecretId: string, stage: 'AWSCURRENT' | 'AWSPENDING', VersionId?: string) => {
    try {
      const r = await client.send(new GetSecretValueCommand({ SecretId, VersionStage: stage, VersionId }));
      return r.SecretString;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };

  const pendingRing = async (event: RotationEvent): Promise<KeyRingDocument> => {
    const ring = parseRing(await read(event.SecretId, 'AWSPENDING', event.ClientRequestToken));
    if (!ring) throw new Error('pending version does not hold a valid key ring');
    return ring;
  };

  const steps: Record<RotationStep, (e: RotationEvent) => Promise<void>> = {
    async createSecret(event) {
      if (parseRing(await read(event.SecretId, 'AWSPENDING', event.ClientRequestToken))) return;
      const current = parseRing(await read(event.SecretId, 'AWSCURRENT'));
      const next = current ? await rotateRing(current, options.alg, now()) : await createRing(options.alg, now());
      await client.send(
        new PutSecretValueCommand({
          SecretId: event.SecretId,
          ClientRequestToken: event.ClientRequestToken,
          SecretString: JSON.stringify(next),
          VersionStages: ['AWSPENDING'],
        }),
      );
    },
    async setSecret(event) {
      const ring = await pendingRing(event);
      await client.send(
        new PutSecretValueCommand({ SecretId: options.publicKeysSecretId, SecretString: JSON.stringify(toJwks(ring)) }),
      );
    },
    async testSecret(event) {
      const ring = await pendingRing(event);
      const key = currentKey(ring);
      const jws = await new SignJWT({ test: true })
        .setProtectedHeader({ alg: key.alg, kid: key.kid })
        .sign(await importJWK(key.privateJwk, key.alg));
      await jwtVerify(jws, await importJWK(key.publicJwk, key.alg), { algorithms: [key.alg] });
    },
    async finishSecret(event) {
      const meta = await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
      const stages = meta.VersionIdsToStages ?? {};
      const currentVersion = Object.keys(stages).find((v) => stages[v]?.includes('AWSCURRENT'));
      if (currentVersion === event.ClientRequestToken) return;
      const ring = await pendingRing(event);
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: event.SecretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: event.ClientRequestToken,
          RemoveFromVersionId: currentVersion,
        }),
      );
      securityEvent('key_rotation', { currentKid: currentKey(ring).kid });
    },
  };

  return async (event: RotationEvent): Promise<void> => {
    const meta = await client.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
    if (meta.RotationEnabled === false) throw new Error('rotation is not enabled for this secret');
    const stages = meta.VersionIdsToStages?.[event.ClientRequestToken];
    if (!stages) throw new Error('the rotation token is not a version of this secret');
    if (stages.includes('AWSCURRENT') && !stages.includes('AWSPENDING')) return; // already current: nothing to do
    const step = steps[event.Step];
    if (!step) throw new Error('unknown rotation step');
    await step(event);
  };
}

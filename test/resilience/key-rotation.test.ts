/**
 * S83 for the key ring's rotation: Secrets Manager invokes each of the four steps again when one fails, so a step
 * that failed midway — throttled, a 5xx, a hang, its answer lost after the write — must be retriable and end in
 * the same ring as a rotation without faults. The rotation function's own client (awsClientConfig) goes through
 * the fault proxy to the Secrets Manager stand-in; the stand-in's RotateSecret drives the steps, and its
 * "Lambda" retries a failed step as the service would.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../infra/local/aws/secrets-manager.js';
import { awsClientConfig } from '../../shared/adapters/aws-client-config.js';
import { createRotationHandler } from '../../shared/adapters/key-ring-rotation.js';
import { parseRing, toJwks } from '../../shared/domain/key-ring.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

const ROTATION_LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-keys';
const credentials = { accessKeyId: 'operator', secretAccessKey: 'x' };

let sm: SecretsManagerStandIn;
let proxy: FaultProxy;
let ringArn: string;
let publicArn: string;
const attempts: string[] = [];

/** mulberry32: a small deterministic generator in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const operator = () => new SecretsManagerClient({ endpoint: sm.endpoint, region: 'us-east-1', credentials });
const current = async (arn: string) =>
  (await operator().send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString;

beforeAll(async () => {
  sm = await startSecretsManagerStandIn({
    permissionsOf: () => [{ actions: ['*'], resources: ['*'] }],
    invokeRotationLambda: async (_arn, event) => {
      // The rotation function as deployed: its client has the production timeouts and retries, through the faults.
      const rotate = createRotationHandler({
        client: new SecretsManagerClient({
          ...awsClientConfig('secretsManager'),
          endpoint: proxy.endpoint,
          region: 'us-east-1',
          credentials,
        }),
        publicKeysSecretId: publicArn,
        alg: 'ES256',
      });
      // Secrets Manager retries a failed step; here at once, until it succeeds (bounded).
      for (let i = 0; ; i++) {
        attempts.push(event.Step);
        try {
          return await rotate(event);
        } catch (e) {
          if (i >= 30) throw e;
        }
      }
    },
  });
  // A seeded sequence, so the faults met (and the steps run again) are the same on every run: with Math.random
  // the SDK's own retries sometimes absorbed every fault and no step had to be run twice.
  proxy = await startFaultProxy({ target: sm.endpoint, protocol: 'secrets-manager', random: seeded(0x5eed) });
  ringArn = sm.seed({ name: 'KeyRing', value: 'placeholder', rotationLambdaArn: ROTATION_LAMBDA });
  publicArn = sm.seed({ name: 'PublicKeys', value: 'placeholder' });
  // The first rotation, without faults: a real ring to rotate.
  await operator().send(new RotateSecretCommand({ SecretId: ringArn }));
  expect((await sm.settled()).every((r) => !r.failed)).toBe(true);
});

afterAll(async () => {
  await proxy?.close();
  await sm?.close();
});

describe('S83: a key rotation step that fails midway is retried to the same result', () => {
  it('S83: under 40 % faults of every kind each step is retried until it succeeds, and the ring rotates exactly once', async () => {
    const before = parseRing(await current(ringArn))!;
    const next = before.keys.find((k) => k.status === 'next')!;
    attempts.length = 0;
    proxy.inject({
      kind: ['throttle', 'server-error', 'latency', 'drop-before', 'drop-after'],
      rate: 0.4,
      latencyMs: 2_000,
    });
    try {
      await operator().send(new RotateSecretCommand({ SecretId: ringArn }));
      const records = await sm.settled();
      expect(records.at(-1)?.failed).toBeUndefined();
    } finally {
      proxy.inject(undefined);
    }
    // Faults were met and steps were run again.
    expect(Object.values(proxy.stats.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(attempts.length).toBeGreaterThan(4);
    // One rotation: the old `next` signs now, the old `current` is `previous`, one fresh `next`.
    const after = parseRing(await current(ringArn))!;
    expect(after.keys.find((k) => k.status === 'current')?.kid).toBe(next.kid);
    expect(after.keys.find((k) => k.status === 'previous')?.kid).toBe(
      before.keys.find((k) => k.status === 'current')?.kid,
    );
    expect(after.keys.filter((k) => k.status === 'next')).toHaveLength(1);
    // The published keys are the ring's public half; one version is current and no rotation is left pending.
    expect(JSON.parse((await current(publicArn))!)).toEqual(toJwks(after));
    const stages = (await operator().send(new DescribeSecretCommand({ SecretId: ringArn }))).VersionIdsToStages ?? {};
    expect(
      Object.values(stages)
        .flat()
        .filter((s) => s === 'AWSCURRENT'),
    ).toHaveLength(1);
    expect(
      Object.values(stages)
        .flat()
        .filter((s) => s === 'AWSPENDING'),
    ).toHaveLength(0);
  }, 60_000);
});

/**
 * The KeyRingBootstrap custom resource's handler against the Secrets Manager stand-in (real SDK client): the
 * first deploy waits until the rotation has written the ring; a ring that exists is left alone.
 */
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import type { Statement } from '../../infra/local/aws/iam.js';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../infra/local/aws/secrets-manager.js';
import { createKeyRingBootstrap } from '../../shared/adapters/key-ring-bootstrap.js';
import { createRotationHandler } from '../../shared/adapters/key-ring-rotation.js';
import { currentKey, parseRing } from '../../shared/domain/key-ring.js';

const ROTATION = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-keys';

describe('Function: createKeyRingBootstrap (the first deploy has a signing key)', () => {
  let sm: SecretsManagerStandIn | undefined;
  afterEach(() => sm?.close());

  async function setup(options: { rotationFails?: boolean } = {}) {
    const policies: Record<string, Statement[]> = {};
    const as = (caller: string) =>
      new SecretsManagerClient({
        endpoint: sm!.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: caller, secretAccessKey: 'x' },
      });
    let rotations = 0;
    sm = await startSecretsManagerStandIn({
      permissionsOf: (c) => policies[c],
      invokeRotationLambda: async (_arn, event) => {
        if (event.Step === 'createSecret') rotations++;
        if (options.rotationFails) throw new Error('rotation function crashed');
        await createRotationHandler({ client: as('rotate'), publicKeysSecretId: publicArn, alg: 'ES256' })(event);
      },
    });
    const ringArn = sm.seed({ name: 'KeyRing', value: 'placeholder', rotationLambdaArn: ROTATION });
    const publicArn = sm.seed({ name: 'PublicKeys', value: 'placeholder' });
    policies['rotate'] = [{ actions: ['secretsmanager:*'], resources: [ringArn, publicArn] }];
    // What the stack grants the bootstrap function: never the secret's value (S44).
    policies['bootstrap'] = [
      { actions: ['secretsmanager:DescribeSecret', 'secretsmanager:RotateSecret'], resources: [ringArn] },
      { actions: ['lambda:InvokeFunction'], resources: [ROTATION] },
    ];
    const bootstrap = createKeyRingBootstrap({ client: as('bootstrap'), secretId: ringArn, waitMs: 2000, pollMs: 20 });
    return { bootstrap, ringArn, as, rotations: () => rotations };
  }

  it('Create: rotates the placeholder into a ring and returns only once AWSCURRENT holds it', async () => {
    const { bootstrap, ringArn, as } = await setup();
    const result = await bootstrap({ RequestType: 'Create' });
    const ring = parseRing(
      (await as('rotate').send(new GetSecretValueCommand({ SecretId: ringArn, VersionStage: 'AWSCURRENT' })))
        .SecretString,
    );
    expect(ring && currentKey(ring).status).toBe('current');
    const stages = (await as('rotate').send(new DescribeSecretCommand({ SecretId: ringArn }))).VersionIdsToStages!;
    expect(result).toEqual({
      PhysicalResourceId: 'signing-key-ring',
      Data: { CurrentVersionId: Object.keys(stages).find((v) => stages[v].includes('AWSCURRENT')) },
    });
  });

  it('Update with a ring in place, and Delete: no rotation', async () => {
    const { bootstrap, rotations } = await setup();
    const created = await bootstrap({ RequestType: 'Create' });
    expect(await bootstrap({ RequestType: 'Update', PhysicalResourceId: created.PhysicalResourceId })).toEqual(created);
    expect(await bootstrap({ RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId })).toEqual({
      PhysicalResourceId: created.PhysicalResourceId,
    });
    expect(rotations()).toBe(1);
  });

  it('throws when the rotation never writes the ring, so the deploy fails instead of finishing without a key', async () => {
    const { bootstrap } = await setup({ rotationFails: true });
    await expect(bootstrap({ RequestType: 'Create' })).rejects.toThrow(/did not finish within/);
  });
});

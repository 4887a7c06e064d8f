/**
 * The Secrets Manager stand-in (infra/local/aws/secrets-manager.ts) keeps the service's version-stage semantics,
 * proven through the real AWS SDK client (endpoint set as `AWS_ENDPOINT_URL_SECRETS_MANAGER` would) against the
 * real adapters: the rotation function's four steps, driven by RotateSecret, and the key ring reader.
 */
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Statement } from '../../infra/local/aws/iam.js';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../../infra/local/aws/secrets-manager.js';
import { createRotationHandler } from '../../shared/adapters/key-ring-rotation.js';
import { SecretsManagerJwksSource, SecretsManagerKeyRing } from '../../shared/adapters/secrets-manager-key-ring.js';
import { parseRing } from '../../shared/domain/key-ring.js';

const ROTATION_LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-keys';
const SM = ['secretsmanager:*'];

describe('Class: SecretsManagerStandIn (version stages, rotation, IAM)', () => {
  let sm: SecretsManagerStandIn;
  let ringArn: string;
  let publicArn: string;
  let failNextCreateSecret = false;
  const policies: Record<string, Statement[]> = {};
  const clientAs = (caller: string) =>
    new SecretsManagerClient({
      endpoint: sm.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: caller, secretAccessKey: 'x' },
    });
  const stagesOf = async (arn: string) =>
    (await clientAs('operator').send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
  const valueAt = async (arn: string, VersionStage: string) =>
    (await clientAs('operator').send(new GetSecretValueCommand({ SecretId: arn, VersionStage }))).SecretString;

  beforeAll(async () => {
    sm = await startSecretsManagerStandIn({
      permissionsOf: (caller) => policies[caller],
      // As the service invokes the rotation Lambda: with the function's own credentials.
      invokeRotationLambda: async (_arn, event) => {
        if (event.Step === 'createSecret' && failNextCreateSecret) {
          failNextCreateSecret = false;
          throw new Error('createSecret failed');
        }
        await createRotationHandler({ client: clientAs('rotate-keys'), publicKeysSecretId: publicArn, alg: 'ES256' })(
          event,
        );
      },
    });
    ringArn = sm.seed({
      name: 'KeyRing',
      value: 'aPlaceholderFromGenerateSecretString',
      rotationLambdaArn: ROTATION_LAMBDA,
    });
    publicArn = sm.seed({ name: 'PublicKeys', value: 'anotherPlaceholder' });
    policies.operator = [
      { actions: SM, resources: ['*'] },
      { actions: ['lambda:InvokeFunction'], resources: [ROTATION_LAMBDA] },
    ];
    policies['rotate-keys'] = [
      {
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [ringArn],
      },
      { actions: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], resources: [publicArn] },
    ];
    policies.signer = [
      { actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [ringArn] },
    ];
    policies['no-invoke'] = [{ actions: ['secretsmanager:RotateSecret'], resources: [ringArn] }];
  });

  afterAll(() => sm?.close());

  it('answers the seeded value as AWSCURRENT by name, ARN or partial ARN', async () => {
    for (const id of ['KeyRing', ringArn, ringArn.slice(0, -7)]) {
      const r = await clientAs('operator').send(new GetSecretValueCommand({ SecretId: id }));
      expect(r.SecretString).toBe('aPlaceholderFromGenerateSecretString');
      expect(r.VersionStages).toEqual(['AWSCURRENT']);
    }
  });

  it('RotateSecret stages a new version id as AWSPENDING without a value, then runs the four steps to a key ring', async () => {
    // Act
    const { VersionId } = await clientAs('operator').send(new RotateSecretCommand({ SecretId: ringArn }));
    // Assess: before the steps run, the id is staged and has no value.
    expect((await stagesOf(ringArn))[VersionId!]).toEqual(['AWSPENDING']);
    await expect(
      clientAs('operator').send(new GetSecretValueCommand({ SecretId: ringArn, VersionStage: 'AWSPENDING' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const [record] = await sm.settled();
    expect(record?.failed).toBeUndefined();
    const stages = await stagesOf(ringArn);
    expect(stages[VersionId!]).toEqual(['AWSCURRENT']);
    expect(Object.values(stages).filter((s) => s.includes('AWSPREVIOUS'))).toHaveLength(1);
    expect(await valueAt(ringArn, 'AWSPREVIOUS')).toBe('aPlaceholderFromGenerateSecretString');
    // The real readers see the ring and its public half.
    const ring = await new SecretsManagerKeyRing(clientAs('signer'), ringArn, { cacheSeconds: 0 }).load();
    expect(ring.keys.map((k) => k.status).sort()).toEqual(['current', 'next']);
    policies.jwks = [{ actions: ['secretsmanager:GetSecretValue'], resources: [publicArn] }];
    const jwks = await new SecretsManagerJwksSource(clientAs('jwks'), publicArn, { cacheSeconds: 0 }).jwks();
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(ring.keys.map((k) => k.kid).sort());
  });

  it('a second rotation promotes next to current and moves AWSPREVIOUS to the version that was current', async () => {
    const before = parseRing(await valueAt(ringArn, 'AWSCURRENT'))!;
    const currentBefore = Object.entries(await stagesOf(ringArn)).find(([, s]) => s.includes('AWSCURRENT'))![0];
    await clientAs('operator').send(new RotateSecretCommand({ SecretId: ringArn }));
    await sm.settled();
    const after = parseRing(await valueAt(ringArn, 'AWSCURRENT'))!;
    const next = before.keys.find((k) => k.status === 'next')!;
    expect(after.keys.find((k) => k.status === 'current')?.kid).toBe(next.kid);
    const stages = await stagesOf(ringArn);
    expect(stages[currentBefore]).toEqual(['AWSPREVIOUS']);
    expect(
      Object.values(stages)
        .flat()
        .filter((s) => s === 'AWSPREVIOUS'),
    ).toHaveLength(1);
  });

  it('refuses a second PutSecretValue of a different value under the same token; the same value is an idempotent retry', async () => {
    const ClientRequestToken = 'b1f0c9d2-6c1e-4d1a-9b8e-000000000001';
    const put = (SecretString: string) =>
      clientAs('operator').send(new PutSecretValueCommand({ SecretId: publicArn, ClientRequestToken, SecretString }));
    await put('{"keys":[]}');
    await expect(put('{"keys":[]}')).resolves.toMatchObject({ VersionId: ClientRequestToken });
    await expect(put('{"keys":[1]}')).rejects.toMatchObject({ name: 'ResourceExistsException' });
    expect(await valueAt(publicArn, 'AWSCURRENT')).toBe('{"keys":[]}');
  });

  it('refuses to move AWSCURRENT without naming the version it leaves', async () => {
    const stages = await stagesOf(ringArn);
    const previous = Object.entries(stages).find(([, s]) => s.includes('AWSPREVIOUS'))![0];
    await expect(
      clientAs('operator').send(
        new UpdateSecretVersionStageCommand({
          SecretId: ringArn,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: previous,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('refuses RotateSecret while an earlier rotation is stuck at AWSPENDING', async () => {
    failNextCreateSecret = true;
    await clientAs('operator').send(new RotateSecretCommand({ SecretId: ringArn }));
    const records = await sm.settled();
    expect(records.at(-1)?.failed?.step).toBe('createSecret');
    await expect(clientAs('operator').send(new RotateSecretCommand({ SecretId: ringArn }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
  });

  it('answers AccessDeniedException outside the caller policy, as IAM would', async () => {
    await expect(clientAs('signer').send(new GetSecretValueCommand({ SecretId: publicArn }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('secretsmanager:GetSecretValue'),
    });
    await expect(
      clientAs('signer').send(new PutSecretValueCommand({ SecretId: ringArn, SecretString: 'x' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(clientAs('nobody').send(new DescribeSecretCommand({ SecretId: ringArn }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    // RotateSecret also needs lambda:InvokeFunction on the rotation function.
    await expect(clientAs('no-invoke').send(new RotateSecretCommand({ SecretId: ringArn }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('lambda:InvokeFunction'),
    });
  });

  it('GetRandomPassword honours the length and the excluded character classes', async () => {
    const { RandomPassword } = await clientAs('operator').send(
      new GetRandomPasswordCommand({ PasswordLength: 40, ExcludePunctuation: true }),
    );
    expect(RandomPassword).toMatch(/^[A-Za-z0-9]{40}$/);
  });
});

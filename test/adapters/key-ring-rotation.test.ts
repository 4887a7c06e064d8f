/**
 * The rotation function's four steps, against an in-memory model of Secrets Manager's version stages
 * (aws-sdk-client-mock). moto_server cannot register a rotation token the way RotateSecret does, so the
 * steps are driven here the way the service drives them.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createRotationHandler, type RotationStep } from '../../shared/adapters/key-ring-rotation.js';
import { SecretsManagerJwksSource, SecretsManagerKeyRing } from '../../shared/adapters/secrets-manager-key-ring.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyRing } from '../../shared/adapters/local/file-key-ring.js';
import { createRing, currentKey, parseRing } from '../../shared/domain/key-ring.js';

/** Just enough of Secrets Manager: versions with stages, stage moves, ResourceNotFound. */
function fakeSecretsManager() {
  const secrets = new Map<string, { versions: Map<string, { value: string; stages: string[] }> }>();
  const notFound = () => Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
  const create = (id: string, value: string) => {
    secrets.set(id, { versions: new Map([[randomUUID(), { value, stages: ['AWSCURRENT'] }]]) });
  };
  const mock = mockClient(SecretsManagerClient);
  mock.on(GetSecretValueCommand).callsFake(async ({ SecretId, VersionId, VersionStage }) => {
    const s = secrets.get(SecretId);
    if (!s) throw notFound();
    for (const [id, v] of s.versions) {
      if (
        (VersionId === undefined || VersionId === id) &&
        (VersionStage === undefined || v.stages.includes(VersionStage))
      ) {
        return { SecretString: v.value, VersionId: id };
      }
    }
    throw notFound();
  });
  mock.on(PutSecretValueCommand).callsFake(async ({ SecretId, ClientRequestToken, SecretString, VersionStages }) => {
    const s = secrets.get(SecretId);
    if (!s) throw notFound();
    const stages = VersionStages ?? ['AWSCURRENT'];
    for (const v of s.versions.values()) v.stages = v.stages.filter((x) => !stages.includes(x));
    s.versions.set(ClientRequestToken ?? randomUUID(), { value: SecretString, stages });
    return {};
  });
  mock.on(DescribeSecretCommand).callsFake(async ({ SecretId }) => {
    const s = secrets.get(SecretId);
    if (!s) throw notFound();
    return {
      RotationEnabled: true,
      VersionIdsToStages: Object.fromEntries([...s.versions].map(([id, v]) => [id, v.stages])),
    };
  });
  mock.on(UpdateSecretVersionStageCommand).callsFake(async ({ SecretId, VersionStage, MoveToVersionId }) => {
    const s = secrets.get(SecretId)!;
    for (const [id, v] of s.versions) {
      v.stages = v.stages.filter((x) => x !== VersionStage);
      if (id === MoveToVersionId) v.stages.push(VersionStage);
      if (id === MoveToVersionId) v.stages = v.stages.filter((x) => x !== 'AWSPENDING');
    }
    return {};
  });
  return { mock, create, secrets, client: new SecretsManagerClient({ region: 'us-east-1' }) };
}

const STEPS: RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

describe('Function: createRotationHandler (fake Secrets Manager)', () => {
  it('S45: first run replaces the placeholder with a ring; each rotation publishes the next key before it signs', async () => {
    const sm = fakeSecretsManager();
    sm.create('ring', 'placeholder-generated-by-cloudformation');
    sm.create('public', 'placeholder');
    const rotate = createRotationHandler({ client: sm.client, publicKeysSecretId: 'public', alg: 'ES256' });
    // Secrets Manager registers the new version id before createSecret; the fake learns it on put.
    const run = async () => {
      const token = randomUUID();
      sm.secrets.get('ring')!.versions.set(token, { value: '', stages: ['AWSPENDING'] });
      for (const Step of STEPS) await rotate({ Step, SecretId: 'ring', ClientRequestToken: token });
    };

    await run();
    const ring1 = parseRing(
      (await sm.client.send(new GetSecretValueCommand({ SecretId: 'ring', VersionStage: 'AWSCURRENT' }))).SecretString,
    )!;
    expect(ring1.keys.map((k) => k.status).sort()).toEqual(['current', 'next']);
    const next1 = ring1.keys.find((k) => k.status === 'next')!.kid;
    const current1 = ring1.keys.find((k) => k.status === 'current')!.kid;

    await run();
    const ring2 = parseRing(
      (await sm.client.send(new GetSecretValueCommand({ SecretId: 'ring', VersionStage: 'AWSCURRENT' }))).SecretString,
    )!;
    expect(ring2.keys.find((k) => k.status === 'current')!.kid).toBe(next1);
    expect(ring2.keys.find((k) => k.status === 'previous')!.kid).toBe(current1);

    const published = JSON.parse(
      (await sm.client.send(new GetSecretValueCommand({ SecretId: 'public', VersionStage: 'AWSCURRENT' })))
        .SecretString!,
    );
    expect(published.keys.map((k: { kid: string }) => k.kid).sort()).toEqual(ring2.keys.map((k) => k.kid).sort());
    // S44: the public secret carries no private members.
    expect(JSON.stringify(published)).not.toMatch(/"d":|"p":|"q":/);

    // Signers and the JWKS endpoint read their own secret through the adapters.
    const signerRing = await new SecretsManagerKeyRing(sm.client, 'ring', { cacheSeconds: 60 }).load();
    expect(signerRing.keys).toHaveLength(3);
    const jwks = await new SecretsManagerJwksSource(sm.client, 'public', { cacheSeconds: 60 }).jwks();
    expect(jwks.keys).toHaveLength(3);
    sm.mock.restore();
  });

  it('S56: after SIGNING_ALG changes, the next rotation mints `next` in the new algorithm and `current` keeps its own', async () => {
    // Prepare: a ring made with ES256, then a rotation function configured with EdDSA
    const sm = fakeSecretsManager();
    sm.create('ring', JSON.stringify(await createRing('ES256', new Date())));
    sm.create('public', 'placeholder');
    const rotate = createRotationHandler({ client: sm.client, publicKeysSecretId: 'public', alg: 'EdDSA' });
    const run = async () => {
      const token = randomUUID();
      sm.secrets.get('ring')!.versions.set(token, { value: '', stages: ['AWSPENDING'] });
      for (const Step of STEPS) await rotate({ Step, SecretId: 'ring', ClientRequestToken: token });
    };
    const algs = async () => {
      const ring = parseRing(
        (await sm.client.send(new GetSecretValueCommand({ SecretId: 'ring', VersionStage: 'AWSCURRENT' })))
          .SecretString,
      )!;
      return Object.fromEntries(ring.keys.map((k) => [k.status, k.alg]));
    };
    const published = async () =>
      (
        JSON.parse(
          (await sm.client.send(new GetSecretValueCommand({ SecretId: 'public', VersionStage: 'AWSCURRENT' })))
            .SecretString!,
        ) as { keys: { alg: string }[] }
      ).keys.map((k) => k.alg);

    // Act / Assess: testSecret signs with each pending ring's current key, in that key's algorithm
    await run();
    expect(await algs()).toEqual({ previous: 'ES256', current: 'ES256', next: 'EdDSA' });
    expect(await published()).toEqual(['ES256', 'EdDSA', 'ES256']);
    await run();
    expect(await algs()).toEqual({ previous: 'ES256', current: 'EdDSA', next: 'EdDSA' });
    expect(await published()).toEqual(['EdDSA', 'EdDSA', 'ES256']);
  });

  it('each step is idempotent: a retried createSecret does not mint a second pending ring', async () => {
    const sm = fakeSecretsManager();
    sm.create('ring', 'placeholder');
    sm.create('public', 'placeholder');
    const rotate = createRotationHandler({ client: sm.client, publicKeysSecretId: 'public', alg: 'ES256' });
    const token = randomUUID();
    sm.secrets.get('ring')!.versions.set(token, { value: '', stages: ['AWSPENDING'] });
    await rotate({ Step: 'createSecret', SecretId: 'ring', ClientRequestToken: token });
    const first = sm.secrets.get('ring')!.versions.get(token)!.value;
    await rotate({ Step: 'createSecret', SecretId: 'ring', ClientRequestToken: token });
    expect(sm.secrets.get('ring')!.versions.get(token)!.value).toBe(first);
    sm.mock.restore();
  });

  it('the signer ring adapter refuses a secret that does not hold a ring yet', async () => {
    const sm = fakeSecretsManager();
    sm.create('ring', 'placeholder');
    await expect(new SecretsManagerKeyRing(sm.client, 'ring', { cacheSeconds: 60 }).load()).rejects.toThrow(/key ring/);
    sm.mock.restore();
  });
});

describe('Class: FileKeyRing (the local ring)', () => {
  it('S56: a rotation written by another process with the new SIGNING_ALG reaches a running reader after its cache time', async () => {
    // Prepare: a running function's ring (ES256, 60 s cache) and the rotation, elsewhere, configured for EdDSA
    const path = join(await mkdtemp(join(tmpdir(), 'file-ring-')), 'keyring.json');
    let now = 1_000_000;
    const running = new FileKeyRing(path, 'ES256', { cacheSeconds: 60, now: () => now });
    const before = currentKey(await running.load()).kid;
    const rotation = new FileKeyRing(path, 'EdDSA');

    // Act
    await rotation.rotate();
    await rotation.rotate();
    const cached = await running.load();
    now += 60_000;
    const reread = await running.load();

    // Assess: the signing key keeps its own algorithm until the EdDSA key minted by the first rotation is current
    expect(currentKey(cached).kid).toBe(before);
    expect(Object.fromEntries(reread.keys.map((k) => [k.status, k.alg]))).toEqual({
      previous: 'ES256',
      current: 'EdDSA',
      next: 'EdDSA',
    });
  });
});

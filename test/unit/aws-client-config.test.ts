import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AWS_CALL_LIMITS,
  awsClientConfig,
  worstCaseCallMs,
  type AwsService,
} from '../../shared/adapters/aws-client-config.js';
import { createDynamoClient } from '../../shared/adapters/dynamo/client.js';
import { FUNCTION_SPECS, type FunctionSpec } from '../../infra/function-specs.js';
import { sourceFiles } from '../helpers/source-files.js';

const root = join(import.meta.dirname, '..', '..');

/** The AWS services a function's spec lets it call. */
function servicesOf(spec: FunctionSpec): AwsService[] {
  const services: AwsService[] = [];
  if (spec.tables && Object.keys(spec.tables).length) services.push('dynamodb');
  if (spec.keyRing || spec.publicKeys || spec.mfaKey || spec.oauthClientSecrets) services.push('secretsManager');
  if (spec.mail) services.push('ses');
  return services;
}

describe('S83: AWS SDK clients have explicit timeouts and a bounded retry policy', () => {
  it('S83: one call to any dependency gives up in under half of the timeout of every function that makes it', () => {
    const checked: string[] = [];
    for (const [name, spec] of Object.entries(FUNCTION_SPECS)) {
      for (const service of servicesOf(spec)) {
        expect(worstCaseCallMs(service), `${name} → ${service}`).toBeLessThan((spec.timeout.toSeconds() * 1000) / 2);
        checked.push(`${name} ${service}`);
      }
    }
    expect(checked.length).toBeGreaterThan(20);
  });

  it('S83: every limit is set, and the retry mode is the standard one', () => {
    for (const service of Object.keys(AWS_CALL_LIMITS) as AwsService[]) {
      const limits = AWS_CALL_LIMITS[service];
      expect(limits.connectionTimeoutMs).toBeGreaterThan(0);
      expect(limits.requestTimeoutMs).toBeGreaterThan(limits.connectionTimeoutMs);
      expect(limits.maxAttempts).toBeGreaterThanOrEqual(2);
      const config = awsClientConfig(service);
      expect(config.retryMode).toBe('standard');
      expect(config.maxAttempts).toBe(limits.maxAttempts);
    }
  });

  it('S83: the DynamoDB client is built with them, in Lambda and against DynamoDB Local', async () => {
    for (const client of [
      createDynamoClient({ region: 'eu-west-1' }),
      createDynamoClient({ endpoint: 'http://127.0.0.1:1' }),
    ]) {
      expect(await client.config.maxAttempts()).toBe(AWS_CALL_LIMITS.dynamodb.maxAttempts);
      expect(await client.config.retryStrategy()).toMatchObject({ mode: 'standard' });
      // The handler resolves its options lazily; no request is made here, so read them where it keeps them.
      const handler = client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> };
      const options = await handler.configProvider;
      expect(options).toMatchObject({
        connectionTimeout: AWS_CALL_LIMITS.dynamodb.connectionTimeoutMs,
        requestTimeout: AWS_CALL_LIMITS.dynamodb.requestTimeoutMs,
        throwOnRequestTimeout: true,
      });
      client.destroy();
    }
  });

  it('S83: every SDK client in shared/ and functions/ is constructed with awsClientConfig', () => {
    const construction = /new (DynamoDBClient|SecretsManagerClient|SESv2Client)\(([^)]*)\)?/g;
    const found: string[] = [];
    for (const file of sourceFiles(['shared', 'functions'])) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(construction)) {
        const line = text.slice(0, m.index).split('\n').length;
        const where = `${file.slice(root.length + 1)}:${line}`;
        // A doc comment's example is not a construction.
        if (/^\s*\*/.test(text.slice(text.lastIndexOf('\n', m.index) + 1, m.index))) continue;
        found.push(where);
        const call = text.slice(m.index, m.index + 200);
        expect(call, where).toMatch(/awsClientConfig\('(dynamodb|secretsManager|ses)'\)/);
      }
    }
    expect(found.length).toBeGreaterThanOrEqual(6);
  });
});

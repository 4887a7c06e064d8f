/**
 * Vitest global setup: one DynamoDB Local for the whole run. It runs in the main process before the test
 * workers are forked, and forks inherit `process.env`, so `DYNAMODB_ENDPOINT` reaches every suite; it is
 * also `provide`d for suites that prefer `inject('dynamoEndpoint')`. An endpoint already set in the
 * environment (a DynamoDB Local you started yourself) is reused and left running.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../infra/local/dynamo-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env['DYNAMODB_ENDPOINT'];
  const local = existing ? undefined : await startDynamoLocal({ inMemory: true });
  const endpoint = existing ?? local!.endpoint;
  process.env['DYNAMODB_ENDPOINT'] = endpoint;
  project.provide('dynamoEndpoint', endpoint);
  return async () => {
    if (!local) return;
    await local.stop();
    delete process.env['DYNAMODB_ENDPOINT'];
  };
}

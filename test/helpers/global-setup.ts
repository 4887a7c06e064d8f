/**
 * Vitest global setup: one DynamoDB Local for the whole run. It runs in the main process before the test
 * workers are forked, and forks inherit `process.env`, so `DYNAMODB_ENDPOINT` reaches every suite; it is
 * also `provide`d for suites that prefer `inject('dynamoEndpoint')`. An endpoint already set in the
 * environment (a DynamoDB Local you started yourself) is reused and left running.
 *
 * It is also where the test run silences the AWS SDK's Node-version warning (infra/local/node-support.ts): set here,
 * before any client and before the forks, it holds for this process and every suite of all three vitest configs.
 */
import type { TestProject } from 'vitest/node';
import { DynamoLocalError, startDynamoLocal } from '../../infra/local/dynamo-local.js';
import { silenceSdkNodeVersionWarning } from '../../infra/local/node-support.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  silenceSdkNodeVersionWarning();
  const existing = process.env['DYNAMODB_ENDPOINT'];
  const local = existing ? undefined : await startDynamoLocal({ inMemory: true }).catch(explainStartFailure);
  const endpoint = existing ?? local!.endpoint;
  process.env['DYNAMODB_ENDPOINT'] = endpoint;
  project.provide('dynamoEndpoint', endpoint);
  return async () => {
    if (!local) return;
    await local.stop();
    delete process.env['DYNAMODB_ENDPOINT'];
  };
}

/**
 * Without this, a missing Java surfaced as "No test files found" above a stack trace; the suites cannot run without
 * DynamoDB Local, so the run stops here, saying the one thing to do.
 */
function explainStartFailure(e: unknown): never {
  if (e instanceof DynamoLocalError && e.code === 'JAVA_UNAVAILABLE') {
    process.stderr.write(`\n${e.message}\n(or set DYNAMODB_ENDPOINT to a DynamoDB Local you started yourself)\n\n`);
    process.exit(1);
  }
  throw e;
}

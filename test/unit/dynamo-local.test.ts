/**
 * Without a usable Java, `npm start` and `npm test` must say what to install, not fail somewhere downstream
 * (infra/local/dynamo-local.ts; the global setup and infra/local/main.ts print this message as it is).
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DynamoLocalError, JAVA_HINT, startDynamoLocal } from '../../infra/local/dynamo-local.js';

async function failure(java: string): Promise<DynamoLocalError> {
  const error = await startDynamoLocal({ java }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DynamoLocalError);
  return error as DynamoLocalError;
}

describe('Function: startDynamoLocal', () => {
  it('throws JAVA_UNAVAILABLE with the install hint when there is no java to run', async () => {
    // Act
    const error = await failure(join(tmpdir(), 'no-such-dir', 'java'));

    // Assess
    expect(error.code).toBe('JAVA_UNAVAILABLE');
    expect(error.message.startsWith(JAVA_HINT)).toBe(true);
    expect(error.message).toContain('ENOENT');
  });

  it('throws JAVA_UNAVAILABLE when the java found is older than the jar needs', async () => {
    // Prepare: what a Java 11 prints for DynamoDB Local's class files, then its exit status
    const dir = await mkdtemp(join(tmpdir(), 'old-java-'));
    const java = join(dir, 'java');
    await writeFile(
      java,
      `#!/bin/sh\necho 'Error: LinkageError occurred while loading main class com.amazonaws.services.dynamodbv2.local.main.ServerRunner' >&2\n` +
        `echo '\tjava.lang.UnsupportedClassVersionError: has been compiled by a more recent version of the Java Runtime (class file version 61.0)' >&2\nexit 1\n`,
    );
    await chmod(java, 0o755);

    // Act
    const error = await failure(java);

    // Assess
    expect(error.code).toBe('JAVA_UNAVAILABLE');
    expect(error.message).toBe(`${JAVA_HINT} (${java} exited (1))`);
  });

  it('throws NOT_READY with the process output when java runs but DynamoDB Local does not come up', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'broken-java-'));
    const java = join(dir, 'java');
    await writeFile(java, `#!/bin/sh\necho 'Error: Unable to access jarfile' >&2\nexit 1\n`);
    await chmod(java, 0o755);

    // Act
    const error = await failure(java);

    // Assess
    expect(error.code).toBe('NOT_READY');
    expect(error.message).toMatch(
      /^DynamoDB Local did not start on port \d+: .* exited \(1\)\nError: Unable to access jarfile/,
    );
  });
});

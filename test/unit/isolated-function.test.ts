/**
 * The local runner's function thread (infra/local/isolated-function.ts): the heap it reports after a full garbage
 * collection is what the function holds, so the soak (S83) can tell a leak from garbage not yet collected.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIsolatedFunction, type IsolatedFunction } from '../../infra/local/isolated-function.js';

const MB = 2 ** 20;

// Each call allocates `mb` megabytes of plain V8 objects (doubles, 8 bytes each): kept for good with `hold`,
// dropped on return with `garbage`.
const HANDLER = `
const held = [];
const allocate = (mb) => Array.from({ length: (mb * 2 ** 20) / 8 }, (_, i) => i + 0.5);
export const handler = async (event) => {
  const data = allocate(event.mb);
  if (event.hold) held.push(data);
  return { length: data.length, held: held.length };
};
`;

describe('a function thread reports the heap it holds after a full collection (S83 soak)', () => {
  let dir: string;
  let fn: IsolatedFunction;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isolated-function-'));
    await writeFile(join(dir, 'handler.mjs'), HANDLER);
    fn = startIsolatedFunction({
      name: 'heap-fixture',
      module: pathToFileURL(join(dir, 'handler.mjs')).href,
      env: {},
      timeoutSeconds: 30,
      memoryMB: 256,
    });
    expect(await fn.ready).toBeUndefined();
  });

  afterAll(async () => {
    await fn.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('garbage from earlier invocations does not count, memory the function keeps does', async () => {
    await fn.invoke({ mb: 1, hold: false });
    const base = await fn.collectedHeap();

    expect(await fn.invoke({ mb: 32, hold: false })).toMatchObject({ held: 0 });
    expect(fn.heapUsed()).toBeGreaterThan(0);
    const afterGarbage = await fn.collectedHeap();
    expect(afterGarbage - base).toBeLessThan(4 * MB);

    expect(await fn.invoke({ mb: 24, hold: true })).toMatchObject({ held: 1 });
    const afterHold = await fn.collectedHeap();
    expect(afterHold - base).toBeGreaterThan(22 * MB);
    expect(afterHold - base).toBeLessThan(40 * MB);
  });

  it('asking for the heap leaves the function answering invocations as before', async () => {
    await fn.collectedHeap();
    expect(await fn.invoke({ mb: 1, hold: false })).toMatchObject({ length: MB / 8 });
  });
});

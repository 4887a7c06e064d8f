// One function of the local runner, alone in its worker thread: its own `process.env` (exactly what the stack
// gives it, set by the parent) and its own module state, like one Lambda execution environment. The handler is
// imported once (the cold start); each message is one invocation. Plain JavaScript, so the thread can register
// the TypeScript loader before it imports the handler.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();

/** What a failure looks like to the caller: a name and a message, as Lambda reports them; never a stack. */
const describe = (e) => ({
  name: e instanceof Error ? e.name : 'Error',
  message: e instanceof Error ? e.message : String(e),
});

/** This thread's own V8 heap in use: the function's memory, as one Lambda environment's would be (for the soak). */
const heapUsed = () => getHeapStatistics().used_heap_size;

/**
 * The heap still in use after a full collection: what the function really holds, without the garbage a pending
 * collection would free. V8's `gc` is exposed on the first request only (a flag, then read from a fresh context),
 * so a function that is never asked runs exactly as before.
 */
let gc;
const collectedHeap = () => {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc');
  }
  gc();
  return heapUsed();
};

let handler;
let initError;
try {
  const mod = await import(workerData.module);
  handler = mod[workerData.export ?? 'handler'];
  if (typeof handler !== 'function')
    throw new Error(`${workerData.module} exports no ${workerData.export ?? 'handler'} function`);
  parentPort.postMessage({ type: 'ready' });
} catch (e) {
  // Lambda's Runtime.ImportModuleError: the environment stays up and every invocation fails the same way.
  initError = describe(e);
  parentPort.postMessage({ type: 'init-error', error: initError });
}

parentPort.on('message', async ({ type, id, event, context }) => {
  if (type === 'collect') return parentPort.postMessage({ type: 'collected', id, heap: collectedHeap() });
  if (initError) return parentPort.postMessage({ type: 'result', id, error: initError });
  const lambdaContext = {
    ...context,
    getRemainingTimeInMillis: () => Math.max(0, context.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(event, lambdaContext);
    parentPort.postMessage({ type: 'result', id, result, heap: heapUsed() });
  } catch (e) {
    parentPort.postMessage({ type: 'result', id, error: describe(e), heap: heapUsed() });
  }
});

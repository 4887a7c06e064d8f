// The rehearsal's stand-in for the Lambda Node.js runtime: one child process per function, started with exactly
// the function's environment. It imports the bundle as the runtime does (`<LAMBDA_TASK_ROOT>/<file>.mjs`, export
// `<handler>` of `_HANDLER`), once, and then runs one invocation at a time per IPC message. Plain JavaScript on
// purpose: nothing of the test toolchain (tsx, vitest) is loaded into the function's process.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [file, exported] = (process.env._HANDLER ?? 'index.handler').split('.');
let handler;
try {
  const module = await import(pathToFileURL(join(process.env.LAMBDA_TASK_ROOT, `${file}.mjs`)).href);
  handler = module[exported];
  if (typeof handler !== 'function')
    throw Object.assign(new Error(`${file}.${exported} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
} catch (e) {
  // Lambda reports an init error on the invocation and starts a fresh environment for the next one.
  console.error(`INIT_ERROR ${e?.name ?? 'Error'}: ${e?.message ?? e}\n${e?.stack ?? ''}`);
  process.send({ type: 'init-error', error: { name: e?.name ?? 'Error', message: String(e?.message ?? e) } }, () =>
    process.exit(1),
  );
}

if (handler) {
  process.on('message', async (message) => {
    const { id, event, context: c } = message;
    const context = {
      ...c,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, c.deadlineMs - Date.now()),
      done() {},
      fail() {},
      succeed() {},
    };
    try {
      const result = await handler(event, context);
      process.send({ type: 'result', id, result: result === undefined ? null : result });
    } catch (e) {
      console.error(`INVOKE_ERROR ${e?.name ?? 'Error'}: ${e?.message ?? e}\n${e?.stack ?? ''}`);
      process.send({ type: 'error', id, error: { name: e?.name ?? 'Error', message: String(e?.message ?? e) } });
    }
  });
  process.send({ type: 'ready' });
}

/**
 * Runs one function of the backend the way Lambda runs it: in its own worker thread (its own `process.env` and
 * module singletons), with exactly the environment it is given, imported once at start (the cold start), and
 * invoked with an event and a Lambda-shaped context. A function that throws while importing stays "up" and
 * fails every invocation, as Lambda's `Runtime.ImportModuleError` does; the runner reports it at start.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Context } from 'aws-lambda';

export interface IsolatedFunctionOptions {
  /** The function's name (its log lines and `context.functionName`). */
  readonly name: string;
  /** The handler module, as a file URL or path. */
  readonly module: string;
  /** The whole environment of the function: nothing of the runner's own leaks in. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMB: number;
  /**
   * Receives what the function writes to stdout and stderr (its log lines: what CloudWatch Logs would get).
   * @default - this process's stdout and stderr
   */
  readonly output?: FunctionOutput;
}

/** A sink for a function's output, chunk by chunk as the thread writes it. */
export type FunctionOutput = (stream: 'stdout' | 'stderr', chunk: string) => void;

export interface IsolatedFunction {
  readonly name: string;
  /** Settles once the handler module is imported: `undefined`, or the import error (name and message). */
  readonly ready: Promise<{ name: string; message: string } | undefined>;
  /** Invokes the handler; rejects with its error (name and message only) or on timeout. */
  invoke(event: unknown): Promise<unknown>;
  /** The thread's V8 heap in use after its last invocation (bytes); undefined before the first. */
  heapUsed(): number | undefined;
  /** The thread's V8 heap in use right after a full garbage collection (bytes): memory the function really holds. */
  collectedHeap(): Promise<number>;
  close(): Promise<void>;
}

export class FunctionError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const WORKER = new URL('./function-worker.mjs', import.meta.url);

export function startIsolatedFunction(options: IsolatedFunctionOptions): IsolatedFunction {
  const output = options.output;
  const worker = new Worker(WORKER, {
    workerData: { module: options.module },
    env: { ...options.env },
    stdout: !!output,
    stderr: !!output,
  });
  if (output) {
    worker.stdout.setEncoding('utf8').on('data', (chunk: string) => output('stdout', chunk));
    worker.stderr.setEncoding('utf8').on('data', (chunk: string) => output('stderr', chunk));
  }
  // An idle runner must not keep the process alive for its workers.
  worker.unref();
  const pending = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  let settleReady!: (v: { name: string; message: string } | undefined) => void;
  const ready = new Promise<{ name: string; message: string } | undefined>((ok) => (settleReady = ok));

  let heap: number | undefined;
  worker.on(
    'message',
    (m: { type: string; id?: string; result?: unknown; error?: { name: string; message: string }; heap?: number }) => {
      if (m.type === 'ready') return settleReady(undefined);
      if (m.type === 'init-error') return settleReady(m.error);
      if (m.type === 'result' && typeof m.heap === 'number') heap = m.heap;
      const call = m.id ? pending.get(m.id) : undefined;
      if (!call) return;
      pending.delete(m.id!);
      clearTimeout(call.timer);
      if (m.type === 'collected') call.resolve(m.heap);
      else if (m.error) call.reject(new FunctionError(m.error.name, m.error.message));
      else call.resolve(m.result);
    },
  );
  const failAll = (error: Error) => {
    settleReady({ name: error.name, message: error.message });
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      call.reject(error);
      pending.delete(id);
    }
  };
  worker.on('error', (e) => failAll(e instanceof Error ? e : new Error(String(e))));
  let closing = false;
  worker.on('exit', (code) => {
    // Closing a function that had not finished its cold start is no import error.
    if (closing) settleReady(undefined);
    failAll(new FunctionError('Runtime.ExitError', `${options.name} exited with code ${code}`));
  });

  return {
    name: options.name,
    ready,
    heapUsed: () => heap,
    async invoke(event) {
      await ready;
      const id = randomUUID();
      const deadline = Date.now() + options.timeoutSeconds * 1000;
      const context: Omit<Context, 'getRemainingTimeInMillis' | 'done' | 'fail' | 'succeed'> & { deadline: number } = {
        callbackWaitsForEmptyEventLoop: false,
        functionName: options.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${options.name}`,
        memoryLimitInMB: String(options.memoryMB),
        awsRequestId: id,
        logGroupName: `/aws/lambda/${options.name}`,
        logStreamName: 'local',
        deadline,
      };
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new FunctionError('Sandbox.Timedout', `${options.name} timed out after ${options.timeoutSeconds} s`));
        }, options.timeoutSeconds * 1000);
        pending.set(id, { resolve, reject, timer });
        worker.postMessage({ id, event, context });
      });
    },
    async collectedHeap() {
      await ready;
      const id = randomUUID();
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${options.name} did not report its heap within 30 s`));
        }, 30_000);
        pending.set(id, { resolve: (v) => resolve(v as number), reject, timer });
        worker.postMessage({ type: 'collect', id });
      });
    },
    async close() {
      closing = true;
      await worker.terminate();
    },
  };
}

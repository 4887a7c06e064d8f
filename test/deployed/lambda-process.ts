/**
 * One function of the synthesized stack, run as Lambda runs it: its own Node process (started on the first
 * invocation, as a cold start), only the environment it is given, the bundle's `index.handler`, one invocation at a
 * time, a Lambda-shaped context, and the function's timeout. An init error (the bundle throws while importing) fails
 * that invocation and the next one starts a fresh process, as Lambda does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FunctionDefinition } from './assembly.js';

const BOOTSTRAP = fileURLToPath(new URL('./lambda-bootstrap.mjs', import.meta.url));

/** What the invocation of a function returned: its result, or the error Lambda would report. */
export type InvokeOutcome =
  | { ok: true; result: unknown }
  | { ok: false; kind: 'init' | 'handler' | 'timeout' | 'crash'; name: string; message: string };

export interface LambdaLogEntry {
  function: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export class LambdaProcess {
  private child?: ChildProcess;
  private ready?: Promise<InvokeOutcome | undefined>;
  private queue: Promise<unknown> = Promise.resolve();
  private pending?: { id: string; done: (o: InvokeOutcome) => void };
  /** Every invocation's outcome that was not `ok`, for the report of what the rehearsal found. */
  readonly failures: { event: string; outcome: Extract<InvokeOutcome, { ok: false }> }[] = [];
  coldStarts = 0;

  constructor(
    readonly definition: FunctionDefinition,
    /** The complete environment of the process: the template's variables plus what Lambda itself sets. */
    private readonly env: Record<string, string>,
    private readonly log: (entry: LambdaLogEntry) => void,
  ) {}

  /**
   * Starts the process now (an init, as provisioned concurrency would do) rather than on the first request, so a
   * slow cold start on a busy machine does not eat into a caller's timeout (the authorizer waits 3 s for the JWKS).
   * An init error is recorded like a failed invocation.
   */
  async warm(): Promise<void> {
    const failure = await this.start();
    if (failure && !failure.ok) this.failures.push({ event: 'init', outcome: failure });
  }

  /** A new instance: what a user meets after Lambda recycled the old one (its caches are gone). */
  async restart(): Promise<void> {
    this.stop();
    await this.warm();
  }

  /** Invokes the function with one event; invocations of the same function run one after another. */
  invoke(event: unknown, what = 'event'): Promise<InvokeOutcome> {
    const run = this.queue.then(() => this.invokeNow(event));
    this.queue = run.catch(() => undefined);
    return run.then((outcome) => {
      if (!outcome.ok) this.failures.push({ event: what, outcome });
      return outcome;
    });
  }

  private async invokeNow(event: unknown): Promise<InvokeOutcome> {
    const initFailure = await this.start();
    if (initFailure) return initFailure;
    const child = this.child!;
    const id = randomUUID();
    const timeoutMs = this.definition.timeoutSeconds * 1000;
    const deadlineMs = Date.now() + timeoutMs;
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda stops the environment when a function times out; the next invocation is a cold start.
        this.stop();
        resolve({
          ok: false,
          kind: 'timeout',
          name: 'Sandbox.Timedout',
          message: `Task timed out after ${this.definition.timeoutSeconds}.00 seconds`,
        });
      }, timeoutMs);
      this.pending = {
        id,
        done: (o) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(o);
        },
      };
      child.send({
        id,
        event,
        context: {
          awsRequestId: id,
          functionName: this.definition.name,
          functionVersion: '$LATEST',
          invokedFunctionArn: this.definition.arn,
          memoryLimitInMB: String(this.definition.memorySize),
          logGroupName: `/aws/lambda/${this.definition.name}`,
          logStreamName: `rehearsal/[$LATEST]${id.slice(0, 8)}`,
          deadlineMs,
        },
      });
    });
  }

  /** Starts the process if none runs; resolves with the init failure, if the bundle threw while importing. */
  private start(): Promise<InvokeOutcome | undefined> {
    if (this.child && this.ready) return this.ready;
    const { codeDir, handler, name } = this.definition;
    if (!codeDir)
      return Promise.resolve({
        ok: false,
        kind: 'init',
        name: 'Runtime.ImportModuleError',
        message: `no bundle for ${name}`,
      });
    this.coldStarts++;
    const child = fork(BOOTSTRAP, [], {
      cwd: codeDir,
      env: { ...this.env, LAMBDA_TASK_ROOT: codeDir, _HANDLER: handler },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.setEncoding('utf8');
      child[stream]!.on('data', (text: string) => this.log({ function: this.definition.logicalId, stream, text }));
    }
    this.ready = new Promise((resolve) => {
      child.on('message', (m: any) => {
        if (m.type === 'ready') resolve(undefined);
        else if (m.type === 'init-error') {
          resolve({ ok: false, kind: 'init', name: m.error.name, message: m.error.message });
          this.forget(child);
        } else if (m.id === this.pending?.id) {
          this.pending!.done(
            m.type === 'result' ? { ok: true, result: m.result } : { ok: false, kind: 'handler', ...m.error },
          );
        }
      });
      child.on('exit', (code, signal) => {
        this.forget(child);
        const crash: InvokeOutcome = {
          ok: false,
          kind: 'crash',
          name: 'Runtime.ExitError',
          message: `process exited (${signal ?? code})`,
        };
        resolve(crash);
        this.pending?.done(crash);
      });
    });
    return this.ready;
  }

  private forget(child: ChildProcess) {
    if (this.child === child) {
      this.child = undefined;
      this.ready = undefined;
    }
  }

  stop(): void {
    const child = this.child;
    this.forget(child!);
    child?.kill('SIGKILL');
  }
}

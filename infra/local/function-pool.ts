/**
 * The local runner's functions: each starts (its cold start, a worker thread importing its handler) on its first
 * invocation, as on Lambda, or all at once with `warmUp`. A request waits for its own function only, so nothing
 * answers from a half-started backend.
 */
import type { AuthFunctionName, FunctionSpec } from '../function-specs.js';
import { startIsolatedFunction, type IsolatedFunction } from './isolated-function.js';
import type { LocalBackend } from './local-options.js';

type ImportError = LocalBackend['importErrors'][number];

export interface FunctionPool {
  /** The function, started on first use. */
  get(fn: string): IsolatedFunction;
  invoke(fn: string): (event: unknown) => Promise<unknown>;
  importErrors: ImportError[];
  /** Starts every function of `names` not started yet; resolves with the import errors once all have started. */
  warmUp(names: readonly string[]): Promise<ImportError[]>;
  /** Each started function's V8 heap in use after its last invocation, in bytes. */
  heaps(): Record<string, number>;
  /** Each started function's V8 heap in use right after a full garbage collection, in bytes. */
  collectedHeaps(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function functionPool(input: {
  specs: Readonly<Record<AuthFunctionName, FunctionSpec>>;
  /** Filled in before the first invocation (the environment needs the server's URL). */
  environments: Readonly<Record<string, Readonly<Record<string, string>>>>;
  output?: (fn: string, stream: 'stdout' | 'stderr', chunk: string) => void;
}): FunctionPool {
  const functions = new Map<string, IsolatedFunction>();
  const importErrors: ImportError[] = [];
  const get = (fn: string): IsolatedFunction => {
    let f = functions.get(fn);
    if (f) return f;
    const spec = input.specs[fn as AuthFunctionName];
    const env = input.environments[fn];
    if (!spec || !env) throw new Error(`no function ${fn}`);
    const sink = input.output;
    f = startIsolatedFunction({
      name: fn,
      module: new URL(`../../functions/${fn}/handler.ts`, import.meta.url).href,
      env,
      timeoutSeconds: spec.timeout.toSeconds(),
      memoryMB: spec.memorySize,
      output: sink && ((stream, chunk) => sink(fn, stream, chunk)),
    });
    void f.ready.then((error) => {
      if (!error) return;
      importErrors.push({ fn, error });
      console.error(`[local] ${fn} fails at cold start (every call answers 500): ${error.name}: ${error.message}`);
    });
    functions.set(fn, f);
    return f;
  };
  return {
    get,
    invoke: (fn) => (event) => get(fn).invoke(event),
    importErrors,
    warmUp: async (names) => {
      await Promise.all(names.map((fn) => get(fn).ready));
      return [...importErrors];
    },
    heaps: () =>
      Object.fromEntries(
        [...functions].flatMap(([fn, f]) => {
          const heap = f.heapUsed();
          return heap === undefined ? [] : [[fn, heap]];
        }),
      ),
    collectedHeaps: async () =>
      Object.fromEntries(
        await Promise.all(
          [...functions].map(async ([fn, f]): Promise<[string, number]> => [fn, await f.collectedHeap()]),
        ),
      ),
    close: async () => {
      await Promise.all([...functions.values()].map((f) => f.close()));
    },
  };
}

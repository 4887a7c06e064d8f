/**
 * Vitest setup file. Vitest keeps `console` output with the running test and, with `silent: 'passed-only'`, prints
 * it only when that test fails; but Powertools Logger and Metrics write their JSON lines straight to
 * `process.stdout`, past that console. Here those writes are handed to vitest's console, so the use-cases a unit
 * test runs in-process stay as quiet as the local runner's functions (test/helpers/capture-output.ts) in a green
 * run. Spies on `process.stdout.write` (test/unit/slim-logger.test.ts) replace this, so they still see every line.
 */
const PATCHED = Symbol.for('lambda-auth.test.quiet-process-output');
const global = globalThis as { [PATCHED]?: true };

if (!global[PATCHED]) {
  global[PATCHED] = true;
  for (const [stream, log] of [
    [process.stdout, (text: string) => console.log(text)],
    [process.stderr, (text: string) => console.error(text)],
  ] as const) {
    const original = stream.write.bind(stream);
    let forwarding = false;
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      // Should vitest's console itself ever end up here, write through rather than loop.
      if (forwarding) return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      forwarding = true;
      try {
        log((typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')).replace(/\n$/, ''));
      } finally {
        forwarding = false;
      }
      const callback = rest.find((a) => typeof a === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  }
}

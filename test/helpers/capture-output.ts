/**
 * Output of the suites. The functions of a test backend run in worker threads whose stdout and stderr (Powertools
 * Logger's JSON lines) the local runner hands to {@link testFunctionOutput}: it passes each chunk to the active
 * captures, then to vitest's console, which keeps it with the running test and prints it only when that test fails
 * (`silent: 'passed-only'` in vitest.config.ts), so a green run shows no log lines.
 */
type Reader = (chunk: string) => void;
const readers = new Set<Reader>();

/** The test backend's `functionOutput` (test/helpers/local-backend.ts). */
export function testFunctionOutput(fn: string, stream: 'stdout' | 'stderr', chunk: string): void {
  for (const read of readers) read(chunk);
  const lines = chunk
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `[${fn}] ${line}`)
    .join('\n');
  if (stream === 'stderr') console.error(lines);
  else console.log(lines);
}

/**
 * Captures everything the test backends' functions write and everything this process writes to stdout and stderr
 * (where Powertools Logger writes), still passing it through, so log-hygiene suites can search every line the
 * handlers emitted (S49).
 * @example const output = captureOutput(); …; output.restore(); expect(output.text()).not.toContain(secret);
 */
export function captureOutput() {
  const chunks: string[] = [];
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const tee = (orig: typeof originals.out) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = tee(originals.out);
  process.stderr.write = tee(originals.err);
  const read: Reader = (chunk) => chunks.push(chunk);
  readers.add(read);
  return {
    /** The raw chunks, in order. */
    chunks,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean),
    restore() {
      readers.delete(read);
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

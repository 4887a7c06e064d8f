/**
 * Captures everything the process writes to stdout and stderr (where Powertools Logger writes), still passing it
 * through, so log-hygiene suites can search every line the handlers emitted (S49).
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
  return {
    /** The raw chunks, in order. */
    chunks,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean),
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

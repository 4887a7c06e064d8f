/**
 * Measurement helpers for `npm run bench`. These machines are noisy (2 shared cores), so every case runs in
 * interleaved, shuffled rounds: each round measures every contender once, in a random order, and ratios are
 * computed inside the round (side by side, same noise) before taking medians across rounds.
 */

/** One figure of bench/results.json. */
export interface Figure {
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function shuffle<T>(items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function figure(name: string, unit: string, samples: readonly number[]): Figure {
  if (samples.length === 0) throw new Error(`no samples for ${name}`);
  return {
    name,
    unit,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    runs: samples.length,
  };
}

/** A single measured value (a count, a size): median = min = max. */
export const exact = (name: string, unit: string, value: number): Figure => ({
  name,
  unit,
  median: value,
  min: value,
  max: value,
  runs: 1,
});

/**
 * Runs `rounds` rounds; in each, every contender runs once (shuffled order) and reports one sample.
 * Returns the samples per contender, in round order, so callers can pair them into within-round ratios.
 */
export async function interleaved<K extends string>(
  contenders: Record<K, () => Promise<number> | number>,
  rounds: number,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(contenders) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const k of shuffle(keys)) out[k].push(await contenders[k]());
  }
  return out;
}

/** Within-round ratios a[i] / b[i]. */
export const ratios = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x / b[i]);

/**
 * One progress line to stderr (run.ts passes a case's stderr through; its stdout carries the figures), so a section
 * that takes half a minute says what it is doing. The time is since the case started.
 */
export function progress(step: string): void {
  process.stderr.write(`  … ${step} (${(performance.now() / 1000).toFixed(0)} s)\n`);
}

export const fmt = (n: number, digits = 2) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(digits));

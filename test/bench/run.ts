/**
 * `npm run bench`: the performance suite (never part of `npm test`). Prints a table and writes
 * bench/results.json — one object per figure: {name, unit, median, min, max, runs}.
 *
 *   npm run bench                         # everything, ~3–5 minutes on 2 cores
 *   npm run bench -- --only=authorizer    # authorizer | cold | passwords | endpoints (comma-separated)
 *   npm run bench -- --quick              # fewer rounds, for a smoke run
 *   npm run bench -- --only=soak          # the soak under 2 % injected faults (~5 min; --quick ~30 s); only when named
 *
 * Loopback only: DynamoDB Local, the local runner and a Secrets Manager stand-in all listen on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { silenceSdkNodeVersionWarning } from '../../infra/local/node-support.js';
import { fmt, type Figure } from './stats.js';

// The cases' processes inherit it: no 10-line SDK warning per case on the machines' Node 20 (node-support.ts).
silenceSdkNodeVersionWarning();

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
// The soak takes minutes: it runs only when named.
const wanted = (name: string) => (name === 'soak' ? !!only?.includes(name) : !only || only.includes(name));

const ROOT = resolve(import.meta.dirname, '../..');
const results: Figure[] = [];
const started = new Date();

function print(title: string, figures: Figure[]): void {
  console.log(`\n## ${title}\n`);
  const width = Math.max(...figures.map((f) => f.name.length));
  console.log(
    `${'figure'.padEnd(width)}  ${'median'.padStart(10)}  ${'min'.padStart(10)}  ${'max'.padStart(10)}  runs  unit`,
  );
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(width)}  ${fmt(f.median).padStart(10)}  ${fmt(f.min).padStart(10)}  ${fmt(f.max).padStart(10)}  ${String(f.runs).padStart(4)}  ${f.unit}`,
    );
  }
}

/** Runs one case in a fresh process (test/bench/section.ts) and collects its figures. */
function runCase(name: string): Promise<Figure[]> {
  return new Promise((ok, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(ROOT, 'test/bench/section.ts'), name, ...(quick ? ['--quick'] : [])],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', fail);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('FIGURES '));
      if (code !== 0 || !line) return fail(new Error(`bench case ${name} failed (exit ${code})`));
      ok(JSON.parse(line.slice('FIGURES '.length)) as Figure[]);
    });
  });
}

async function section(name: string, title: string): Promise<void> {
  if (!wanted(name)) return;
  const t0 = performance.now();
  const figures = await runCase(name);
  results.push(...figures);
  print(`${title} (${((performance.now() - t0) / 1000).toFixed(0)} s)`, figures);
}

console.log(`# npm run bench — ${started.toISOString()}`);
console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform}/${process.arch}`,
);

await section('authorizer', 'Authorizer warm cost and token size (cases 1, 5)');
await section('cold', 'Cold start: bundle size and import time (case 2)');
await section('passwords', 'Password hashing (case 3)');
await section('endpoints', 'Endpoint cost: SDK calls per request, latency under load (case 4)');
await section('soak', 'Soak: mixed traffic under 2 % injected faults (S83)');

await mkdir(resolve(ROOT, 'bench'), { recursive: true });
const file = resolve(ROOT, 'bench/results.json');
// One object per figure; the machine, Node version and date are in the printed header (and the README table).
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${file} (${results.length} figures)`);

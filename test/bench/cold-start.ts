/**
 * Case 2: every function's bundle as the CDK build produces it (the same `functionBundling` options, run
 * through esbuild's API), its minified and gzip size, and its cold start in fresh Node processes (median of N,
 * interleaved, minus the import of an empty module measured the same way):
 * - every DynamoDB-backed function, as issue 16 defines a cold start: import + the first invocation − the same
 *   invocation warm (the median of WARM_RUNS more in that process), against DynamoDB Local and a loopback Secrets
 *   Manager / SES (cold-backend.ts), with a representative request (cold-events.ts). Work moved from import
 *   into the first request counts just the same.
 * - every other function (and each lazily imported module): the import alone; and the authorizer's first request
 *   cold, a JWT beside an API key, in the same interleaved rounds (cold-first-request.ts).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { build } from 'esbuild';
import { functionBundling } from '../../infra/bundling/bundling.js';
import { buildLazyModule } from '../../infra/bundling/lazy-module.mjs';
import { FUNCTION_NAMES, FUNCTION_SPECS, type AuthFunctionName } from '../../infra/function-specs.js';
import { firstRequests } from './cold-first-request.js';
import { exact, figure, interleaved, median, progress, type Figure } from './stats.js';
import { startColdBackend, type ColdBackend } from './cold-backend.js';
import { coldEvent } from './cold-events.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
/**
 * Inside the project so that the argon2 functions' external `@node-rs/argon2` resolves like in their asset; under
 * `.data/` (ignored), not `node_modules/`, which git worktrees of this repository may share.
 */
const OUT = join(ROOT, '.data/bench-bundles');
/** The runtime the stack deploys (infra/auth-backend.ts). */
const RUNTIME = Runtime.NODEJS_24_X;

/** What a handler reads at import (cold start): enough config for every composition root, no network. */
const COLD_ENV: Record<string, string> = {
  ISSUER: 'https://auth.example.test',
  USERS_TABLE: 'users',
  REFRESH_TOKENS_TABLE: 'refresh-tokens',
  EPHEMERAL_TABLE: 'ephemeral',
  MAGIC_LINKS_TABLE: 'magic-links',
  MAIL_FROM: 'no-reply@example.test',
  KEY_RING_SECRET_ID: 'ring',
  PUBLIC_KEYS_SECRET_ID: 'jwks',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

async function bundle(name: AuthFunctionName): Promise<string> {
  const spec = FUNCTION_SPECS[name];
  // Architecture only selects the argon2 binary to copy; the JavaScript is the same.
  const options = functionBundling({
    runtime: RUNTIME,
    architecture: undefined as never,
    argon2: spec.argon2 === true,
    keepNames: spec.keepNames,
  });
  const aliasArgs = (options.esbuildArgs?.['--alias'] as string[] | undefined) ?? [];
  const outfile = join(OUT, name, 'index.mjs');
  await build({
    entryPoints: [join(ROOT, 'functions', name, 'handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    minify: options.minify,
    keepNames: options.keepNames,
    // A profile is mapped back to packages through an external map (never loaded by the sample's process).
    sourcemap: process.env.COLD_PROFILE ? 'external' : options.sourceMap,
    mainFields: options.mainFields,
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    external: options.externalModules,
    alias: Object.fromEntries(
      aliasArgs.map((a) => a.split('=') as [string, string]).map(([k, v]) => [k, join(ROOT, v)]),
    ),
    absWorkingDir: ROOT,
    outfile,
    logLevel: 'error',
  });
  // A lazily imported module is a file of its own beside index.mjs, built as the CDK build builds it.
  for (const entry of spec.lazyModules ?? []) {
    await buildLazyModule({
      entry: join(ROOT, entry),
      outdir: join(OUT, name),
      target: options.target ?? 'node24',
      alias: Object.fromEntries(
        aliasArgs.map((a) => a.split('=') as [string, string]).map(([k, v]) => [k, join(ROOT, v)]),
      ),
      absWorkingDir: ROOT,
    });
  }
  // Data files the code reads beside itself (the common-password list), copied as the CDK build copies them.
  for (const file of spec.dataFiles ?? []) await copyFile(join(ROOT, file), join(OUT, name, basename(file)));
  return outfile;
}

/** The lazily imported modules of a function's bundle, by name (`api-key-path`), as files beside index.mjs. */
const lazyFiles = (name: AuthFunctionName): [string, string][] =>
  (FUNCTION_SPECS[name].lazyModules ?? []).map((entry) => {
    const base = basename(entry).replace(/\.ts$/, '');
    return [base, join(OUT, name, `${base}.js`)];
  });

/** Warm invocations after the first, in each cold sample's process; their median is "the same invocation warm". */
const WARM_RUNS = 3;
const CHILD = join(ROOT, 'test/bench/cold-child.mjs');

/** Whether a function is DynamoDB-backed: a table of its own (the authorizer's API-key path is a lazy module). */
const dynamoBacked = (name: AuthFunctionName) => Object.keys(FUNCTION_SPECS[name].tables ?? {}).length > 0;

interface ColdSample {
  importMs: number;
  importCpuMs: number;
  runs: { ms: number; cpuMs: number; status: number | string; calls: Record<string, number> }[];
}

/** Import + first invocation − the warm invocations' median: wall clock (the issue's figure) and CPU time. */
const coldOf = (s: ColdSample, unit: 'ms' | 'cpuMs') =>
  (unit === 'ms' ? s.importMs : s.importCpuMs) + s.runs[0][unit] - median(s.runs.slice(1).map((r) => r[unit]));

/**
 * One fresh process: import the bundle, invoke it once cold and WARM_RUNS times warm (cold-child.mjs). Without a
 * function name: the empty module (a handler that does nothing), the baseline every cold start is reported above.
 */
async function coldSample(name: AuthFunctionName | undefined, file: string, backend: ColdBackend): Promise<ColdSample> {
  const events = join(OUT, name ?? '', `events-${process.hrtime.bigint()}.json`);
  const event = () => (name ? coldEvent(name) : {});
  await writeFile(events, JSON.stringify(Array.from({ length: 1 + WARM_RUNS }, event)));
  // COLD_PROFILE=<dir>: a V8 CPU profile of every sample (test/bench/cold-profile.mjs sums it up by package).
  const profile = process.env.COLD_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.COLD_PROFILE)}`] : [];
  const { stdout } = await run(process.execPath, [...profile, CHILD, file, events], {
    env: { PATH: process.env.PATH ?? '', ...backend.env(FUNCTION_SPECS[name ?? 'me']) },
    cwd: join(OUT, name ?? ''),
  });
  // The function's own log lines (metrics, warnings) share stdout with the sample's line.
  const line = stdout.split('\n').find((l) => l.startsWith('COLD '));
  if (!line) throw new Error(`${name}: no cold-start sample in its output:\n${stdout}`);
  return JSON.parse(line.slice('COLD '.length)) as ColdSample;
}

const IMPORT_TIMER = `const t0 = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t0));`;

async function importMs(file: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, file], {
    env: { PATH: process.env.PATH ?? '', ...COLD_ENV },
    cwd: ROOT,
  });
  return Number(stdout);
}

export async function benchColdStart(options: { processes: number }): Promise<Figure[]> {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const empty = join(OUT, 'empty.mjs');
  await writeFile(empty, 'export {};\n');
  // The floor under any JWT verifier on Node: a module that only imports node:crypto (the authorizer's import
  // target, issue 16 #3, is read against it; raw crypto.verify pays it too).
  const cryptoOnly = join(OUT, 'crypto-only.mjs');
  await writeFile(cryptoOnly, "import { verify } from 'node:crypto';\nexport const v = verify;\n");
  // Authorizer first, then the rest in spec order; COLD_FUNCTIONS=signup,login narrows it (while working on one).
  const only = process.env.COLD_FUNCTIONS?.split(',');
  const names = ['authorizer', ...FUNCTION_NAMES.filter((n) => n !== 'authorizer')].filter(
    (n) => !only || only.includes(n),
  ) as AuthFunctionName[];
  const files = {} as Record<AuthFunctionName, string>;
  const figures: Figure[] = [];
  progress(`bundling ${names.length} functions with esbuild`);
  for (const name of names) {
    files[name] = await bundle(name);
    const code = await readFile(files[name]);
    figures.push(exact(`bundle ${name} minified`, 'KB', code.length / 1024));
    figures.push(exact(`bundle ${name} gzip`, 'KB', gzipSync(code, { level: 9 }).length / 1024));
    for (const [base, file] of lazyFiles(name)) {
      const lazy = await readFile(file);
      figures.push(exact(`bundle ${name} ${base} (lazy) minified`, 'KB', lazy.length / 1024));
      figures.push(exact(`bundle ${name} ${base} (lazy) gzip`, 'KB', gzipSync(lazy, { level: 9 }).length / 1024));
    }
  }
  const cold = names.filter(dynamoBacked);
  const importOnly = names.filter((n) => !dynamoBacked(n));
  const emptyHandler = join(OUT, 'empty-handler.mjs');
  await writeFile(emptyHandler, 'export const handler = async () => ({ statusCode: 204 });\n');
  const details: Record<string, ColdSample[]> = Object.fromEntries(['empty', ...cold].map((n) => [n, []]));
  const backend = await startColdBackend();
  // COLD_COMPARE=<label>=<bundles dir>: also sample another build's bundles (e.g. main's, from a worktree's
  // .data/bench-bundles), interleaved with these in the same rounds: before and after under the same load.
  const [label, dir] = process.env.COLD_COMPARE?.split('=') ?? [];
  const compare = label && dir ? { label, dir: resolve(dir) } : undefined;
  for (const n of compare ? cold : []) details[`${n} [${compare!.label}]`] = [];
  const sampler =
    (name: AuthFunctionName | undefined, file: string, key = name ?? 'empty') =>
    async () => {
      const sample = await coldSample(name, file, backend);
      details[key].push(sample);
      return coldOf(sample, 'ms');
    };
  const first = names.includes('authorizer')
    ? await firstRequests(files.authorizer, { PATH: process.env.PATH ?? '', ...COLD_ENV })
    : undefined;
  const contenders = Object.fromEntries([
    ['empty', () => importMs(empty)],
    ['empty handler', sampler(undefined, emptyHandler)],
    ...(first
      ? [
          ['node:crypto alone', () => importMs(cryptoOnly)],
          ['authorizer first JWT request', first.jwt],
          ['authorizer first API-key request', first.apiKey],
        ]
      : []),
    ...importOnly.map((n) => [n, () => importMs(files[n])]),
    ...names.flatMap((n) => lazyFiles(n).map(([base, file]) => [`${n} ${base}`, () => importMs(file)])),
    ...cold.map((n) => [n, sampler(n, files[n])]),
    ...(compare
      ? cold.map((n) => [
          `${n} [${compare.label}]`,
          sampler(n, join(compare.dir, n, 'index.mjs'), `${n} [${compare.label}]`),
        ])
      : []),
    ...(compare
      ? importOnly.map((n) => [`${n} [${compare.label}]`, () => importMs(join(compare.dir, n, 'index.mjs'))])
      : []),
    ...(compare && first
      ? [
          [
            `authorizer first JWT request [${compare.label}]`,
            () => first.jwt(join(compare.dir, 'authorizer', 'index.mjs')),
          ],
        ]
      : []),
  ]) as Record<string, () => Promise<number>>;
  progress(
    `${cold.length} cold starts (import + first invocation) and ${importOnly.length} imports, each in ${options.processes} fresh node processes`,
  );
  let samples: Record<string, number[]>;
  try {
    samples = await interleaved(contenders, options.processes);
  } finally {
    await backend.close();
    await first?.close();
  }
  const emptyMedian = median(samples.empty);
  figures.push(figure('import empty module', 'ms', samples.empty));
  // Within-process pairing is impossible (each sample is its own process), so subtract the empty module's median.
  const minusEmpty = (xs: number[]) => xs.map((x) => x - emptyMedian);
  const empties = details.empty;
  const emptyCold = {
    ms: median(empties.map((e) => coldOf(e, 'ms'))),
    cpuMs: median(empties.map((e) => coldOf(e, 'cpuMs'))),
  };
  figures.push(
    figure(
      'cold start empty handler (import + first − warm)',
      'ms',
      empties.map((e) => coldOf(e, 'ms')),
    ),
  );
  figures.push(
    figure(
      'cold start empty handler, CPU time',
      'ms',
      empties.map((e) => coldOf(e, 'cpuMs')),
    ),
  );
  const emptyImport = median(empties.map((e) => e.importMs));
  for (const name of [...cold, ...(compare ? cold.map((n) => `${n} [${compare.label}]`) : [])]) {
    const runs = details[name];
    const add = (what: string, xs: number[]) => figures.push(figure(`cold start ${name}${what}`, 'ms', xs));
    const cpu = runs.map((r) => coldOf(r, 'cpuMs') - emptyCold.cpuMs);
    add(
      ' (import + first − warm, minus empty)',
      runs.map((r) => coldOf(r, 'ms') - emptyCold.ms),
    );
    add(', CPU time (minus empty)', cpu);
    add(
      ': import (minus empty)',
      runs.map((r) => r.importMs - emptyImport),
    );
    add(
      ': first invocation',
      runs.map((r) => r.runs[0].ms),
    );
    add(
      ': warm invocation',
      runs.map((r) => median(r.runs.slice(1).map((x) => x.ms))),
    );
    const shown = runs[0].runs;
    progress(
      `${name}: first ${shown[0].status} ${JSON.stringify(shown[0].calls)}, warm ${shown[1].status} ${JSON.stringify(shown[1].calls)}`,
    );
  }

  for (const name of [
    ...importOnly,
    ...(compare ? importOnly.map((n) => `${n} [${compare.label}]`) : []),
    ...names.flatMap((n) => lazyFiles(n).map(([base]) => `${n} ${base}`)),
  ]) {
    figures.push(figure(`import ${name} (minus empty)`, 'ms', minusEmpty(samples[name])));
  }
  if (first) {
    figures.push(figure('import node:crypto alone (minus empty)', 'ms', minusEmpty(samples['node:crypto alone'])));
    const floor = median(samples['node:crypto alone']);
    figures.push(
      figure(
        'import authorizer (minus node:crypto alone)',
        'ms',
        samples.authorizer.map((x) => x - floor),
      ),
    );
  }
  // The first request of a cold instance: import + one invocation (loopback JWKS or DynamoDB stand-in).
  for (const name of first
    ? [
        'authorizer first JWT request',
        ...(compare ? [`authorizer first JWT request [${compare.label}]`] : []),
        'authorizer first API-key request',
      ]
    : [])
    figures.push(
      figure(
        `cold ${name.replace('authorizer ', 'authorizer: ')} (import + invoke, minus empty)`,
        'ms',
        samples[name].map((x) => x - emptyMedian),
      ),
    );
  return figures;
}

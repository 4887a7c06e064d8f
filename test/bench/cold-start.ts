/**
 * Case 2: every function's bundle as the CDK build produces it (the same `functionBundling` options, run
 * through esbuild's API), its minified and gzip size, and the time to import it in a fresh Node process
 * (median of N fresh processes, minus the import of an empty module measured the same way, interleaved); and the
 * authorizer's first request cold, a JWT beside an API key, in the same interleaved rounds (cold-first-request.ts).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
/** Inside the project so that the argon2 functions' external `@node-rs/argon2` resolves like in their asset. */
const OUT = join(ROOT, 'node_modules/.cache/bench-bundles');
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
    slimLogger: spec.slimLogger === true,
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
    sourcemap: options.sourceMap,
    mainFields: options.mainFields,
    banner: { js: options.banner ?? '' },
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
  return outfile;
}

/** The lazily imported modules of a function's bundle, by name (`api-key-path`), as files beside index.mjs. */
const lazyFiles = (name: AuthFunctionName): [string, string][] =>
  (FUNCTION_SPECS[name].lazyModules ?? []).map((entry) => {
    const base = basename(entry).replace(/\.ts$/, '');
    return [base, join(OUT, name, `${base}.js`)];
  });

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
  // Authorizer first, then the rest in spec order.
  const names = ['authorizer', ...FUNCTION_NAMES.filter((n) => n !== 'authorizer')] as AuthFunctionName[];
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
  const first = await firstRequests(files.authorizer, { PATH: process.env.PATH ?? '', ...COLD_ENV });
  const contenders = Object.fromEntries([
    ['empty', () => importMs(empty)],
    ['authorizer first JWT request', first.jwt],
    ['authorizer first API-key request', first.apiKey],
    ...names.map((n) => [n, () => importMs(files[n])]),
    ...names.flatMap((n) => lazyFiles(n).map(([base, file]) => [`${n} ${base}`, () => importMs(file)])),
  ]) as Record<string, () => Promise<number>>;
  progress(`importing each bundle in ${options.processes} fresh node processes`);
  const samples = await interleaved(contenders, options.processes).finally(() => first.close());
  const emptyMedian = median(samples.empty);
  figures.push(figure('import empty module', 'ms', samples.empty));
  for (const name of [...names, ...names.flatMap((n) => lazyFiles(n).map(([base]) => `${n} ${base}`))]) {
    // Within-process pairing is impossible (each sample is its own process), so subtract the empty module's median.
    figures.push(
      figure(
        `import ${name} (minus empty)`,
        'ms',
        samples[name].map((x) => x - emptyMedian),
      ),
    );
  }
  // The first request of a cold instance: import + one invocation (loopback JWKS or DynamoDB stand-in).
  for (const name of ['authorizer first JWT request', 'authorizer first API-key request'])
    figures.push(
      figure(
        `cold ${name.replace('authorizer ', 'authorizer: ')} (import + invoke, minus empty)`,
        'ms',
        samples[name].map((x) => x - emptyMedian),
      ),
    );
  return figures;
}

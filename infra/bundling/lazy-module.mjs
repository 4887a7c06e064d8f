// Builds one lazily imported module of a function into a file of its own beside the function's index.mjs, with
// the same esbuild options as the main bundle. NodejsFunction writes a single --outfile (no code splitting), so
// a dynamic import() of a bundled module would be inlined into index.mjs and parsed on every cold start; this file
// is only read when the handler imports it. Plain JavaScript: CDK runs it with `node` in a bundling hook, before
// any TypeScript loader exists. Also imported by the bench (test/bench/cold-start.ts).
//
//   node infra/bundling/lazy-module.mjs <entry.ts> <outdir> <target> [alias=path ...]
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * Writes `<outdir>/<entry name>.js` (ESM) and `<outdir>/package.json` (`"type": "module"`, so that `.js` is ESM:
 * the same specifier then resolves to the `.ts` source in tests and to this file in the asset).
 */
export async function buildLazyModule({ entry, outdir, target, alias = {}, minify = true, absWorkingDir }) {
  const outfile = join(outdir, `${basename(entry).replace(/\.ts$/, '')}.js`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    minify,
    keepNames: false,
    sourcemap: false,
    mainFields: ['module', 'main'],
    alias,
    absWorkingDir,
    outfile,
    logLevel: 'error',
  });
  await writeFile(join(outdir, 'package.json'), '{ "type": "module" }\n');
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [entry, outdir, target, ...aliases] = process.argv.slice(2);
  const alias = Object.fromEntries(aliases.map((a) => a.split('=')));
  await buildLazyModule({ entry, outdir, target, alias, absWorkingDir: process.cwd() });
}

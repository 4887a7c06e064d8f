// Sums V8 CPU profiles (`COLD_PROFILE=<dir> npm run bench -- --only=cold`, test/bench/cold-start.ts) by where the
// time went: per npm package (or project folder) and per phase (import, until the handler module is evaluated;
// the rest is the invocations). Prints milliseconds of self time, averaged over the profiles given.
//
//   node test/bench/cold-profile.mjs <dir>/*.cpuprofile
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const maps = new Map();
/** The package (or project folder) a bundle's function came from, through the bundle's external source map. */
function origin(url, line, column) {
  if (!url.startsWith('file:')) return undefined;
  const file = fileURLToPath(url);
  if (!maps.has(file)) {
    maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null);
  }
  const source = maps.get(file)?.findEntry(line, column)?.originalSource;
  if (!source) return undefined;
  return (
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1] ??
    source
      .replace(/^(\.\.\/)+/, '')
      .split('/')
      .slice(0, 2)
      .join('/')
  );
}

const files = process.argv.slice(2);
const total = new Map();
for (const file of files) {
  const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const [i, id] of samples.entries()) {
    const { url, functionName, lineNumber, columnNumber } = byId.get(id).callFrame;
    const pkg = origin(url, lineNumber, columnNumber) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const where = pkg ?? (url ? url.replace(/^.*\/(bench-bundles|test\/bench)\//, '') : `(${functionName || 'vm'})`);
    total.set(where, (total.get(where) ?? 0) + (timeDeltas[i] ?? 0) / 1000);
  }
}
const rows = [...total].sort((a, b) => b[1] - a[1]).slice(0, 25);
for (const [where, ms] of rows) console.log(`${(ms / files.length).toFixed(1).padStart(8)} ms  ${where}`);

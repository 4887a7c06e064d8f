/**
 * Makes sure the cloud assembly the rehearsal reads exists and is not older than the code: `.ci/run` synthesizes
 * `cdk.out` just before `npm run test:deployed`; run alone, this synthesizes it (the same app as `npx cdk synth`)
 * when it is missing or stale, so a rehearsal never runs yesterday's bundles.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { ASSEMBLY_DIR, DEFAULT_STACK } from './paths.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const template = join(ASSEMBLY_DIR, `${DEFAULT_STACK}.template.json`);
  const sources = Math.max(...['functions', 'shared', 'infra'].map((d) => newestSource(join(ROOT, d))), statSync(join(ROOT, 'package-lock.json')).mtimeMs);
  if (existsSync(template) && statSync(template).mtimeMs >= sources) return;
  console.log(`[test:deployed] ${existsSync(template) ? 'cdk.out is older than the code' : 'no cdk.out'}: running cdk synth`);
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', ASSEMBLY_DIR], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
}

/**
 * Makes sure the cloud assembly the rehearsal reads exists and is not older than the code: `.ci/run` synthesizes
 * `cdk.out` just before `npm run test:deployed`; run alone, this synthesizes it (the same app as `npx cdk synth`)
 * when it is missing or stale, so a rehearsal never runs yesterday's bundles.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { makeCertificate } from '../../infra/local/certificates.js';
import { ASSEMBLY_DIR, DEFAULT_STACK } from './paths.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // The local runner is not part of the synthesized app.
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || path === join(ROOT, 'infra', 'local')) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

declare module 'vitest' {
  export interface ProvidedContext {
    rehearsalTls: { keyFile: string; certFile: string };
  }
}

export default function setup(project: TestProject): () => void {
  ensureAssembly();
  // A self-signed certificate for the local OpenID provider (a deployed stack takes https issuers only). Node reads
  // NODE_EXTRA_CA_CERTS at start-up, so it is set here, before the test workers are forked.
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const server = makeCertificate({ subject: { CN: '127.0.0.1' }, use: 'server', altNames: ['IP:127.0.0.1'] });
  writeFileSync(keyFile, server.keyPem, { mode: 0o600 });
  writeFileSync(certFile, server.certPem);
  process.env['NODE_EXTRA_CA_CERTS'] = certFile;
  project.provide('rehearsalTls', { keyFile, certFile });
  return () => rmSync(dir, { recursive: true, force: true });
}

function ensureAssembly(): void {
  const template = join(ASSEMBLY_DIR, `${DEFAULT_STACK}.template.json`);
  const sources = Math.max(
    ...['functions', 'shared', 'infra'].map((d) => newestSource(join(ROOT, d))),
    statSync(join(ROOT, 'package-lock.json')).mtimeMs,
  );
  if (existsSync(template) && statSync(template).mtimeMs >= sources) return;
  console.log(
    `[test:deployed] ${existsSync(template) ? 'cdk.out is older than the code' : 'no cdk.out'}: running cdk synth`,
  );
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', ASSEMBLY_DIR], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
}

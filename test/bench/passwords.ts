/**
 * Case 3: argon2id hash and verify at the configured parameters (the production `Argon2Hasher`), beside bcrypt
 * cost 12 (bcryptjs, pure JS) for context: ms per operation in interleaved rounds, and the peak RSS of a fresh
 * process doing nothing but that operation (minus the same process's RSS before the first call).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { Argon2Hasher } from '../../shared/adapters/argon2-hasher.js';
import { exact, figure, interleaved, progress, type Figure } from './stats.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery staple';

async function ms(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Peak RSS growth (MB) of a fresh process that runs `op` `times` times. */
async function peakRss(op: 'argon2-hash' | 'argon2-verify' | 'bcrypt-hash', times: number): Promise<number> {
  const script = `
    const { Argon2Hasher } = await import(${JSON.stringify(resolve(ROOT, 'shared/adapters/argon2-hasher.ts'))});
    const bcrypt = (await import('bcryptjs')).default;
    const h = new Argon2Hasher();
    const phc = ${op === 'argon2-verify'} ? await h.hash('x') : '';
    const before = process.memoryUsage().rss;
    for (let i = 0; i < ${times}; i++) {
      ${op === 'argon2-hash' ? "await h.hash('p' + i);" : op === 'argon2-verify' ? "await h.verify(phc, 'p' + i);" : "await bcrypt.hash('p' + i, 12);"}
    }
    process.stdout.write(String(process.resourceUsage().maxRSS * 1024 - before));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
  });
  return Number(stdout) / (1024 * 1024);
}

export async function benchPasswords(options: { rounds: number }): Promise<Figure[]> {
  progress(`argon2id and bcrypt-12, ${options.rounds} interleaved rounds`);
  const hasher = new Argon2Hasher();
  const phc = await hasher.hash(PASSWORD);
  const bcryptHash = await bcrypt.hash(PASSWORD, 12);
  const samples = await interleaved(
    {
      'argon2id hash': () => ms(() => hasher.hash(PASSWORD)),
      'argon2id verify': () => ms(() => hasher.verify(phc, PASSWORD)),
      'bcrypt-12 hash': () => ms(() => bcrypt.hash(PASSWORD, 12)),
      'bcrypt-12 verify': () => ms(() => bcrypt.compare(PASSWORD, bcryptHash)),
    },
    options.rounds,
  );
  const params = /m=(\d+),t=(\d+),p=(\d+)/.exec(phc)!;
  const figures: Figure[] = Object.entries(samples).map(([name, s]) =>
    figure(
      `${name} (${name.startsWith('argon2') ? `m=${params[1]} t=${params[2]} p=${params[3]}` : 'bcryptjs'})`,
      'ms/op',
      s,
    ),
  );
  progress('peak RSS, each in a fresh process');
  figures.push(exact('argon2id hash peak RSS growth (fresh process, 5 hashes)', 'MB', await peakRss('argon2-hash', 5)));
  figures.push(
    exact('argon2id verify peak RSS growth (fresh process, 5 verifies)', 'MB', await peakRss('argon2-verify', 5)),
  );
  figures.push(
    exact('bcrypt-12 hash peak RSS growth (fresh process, 2 hashes)', 'MB', await peakRss('bcrypt-hash', 2)),
  );
  return figures;
}

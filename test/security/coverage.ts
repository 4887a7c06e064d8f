/**
 * Which SECURITY.md requirement is proven by which test. A test proves a requirement when its title (or
 * the title of its `describe`) names the id, e.g. `it('S25: N parallel refreshes …')`. `it.todo` does not
 * count. Requirements whose feature does not exist yet are listed in PENDING with the reason, never
 * silently skipped. `npm run security:coverage` prints the table; test/security/coverage.test.ts fails on
 * a requirement that is neither covered nor pending, and on a pending entry that has become covered.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

/** Requirements not yet provable because their feature is not built; each with the reason. */
export const PENDING: Record<string, string> = {
  S65: 'Second factors (issue 13) are not built yet: there is no TOTP, recovery code or step-up to test.',
  S67: 'Passkeys (issue 14) are not built yet: there is no WebAuthn ceremony to test.',
  S68: 'Passkeys (issue 14) are not built yet: there is no WebAuthn ceremony to test.',
  S69: 'Passkeys (issue 14) are not built yet: there is no WebAuthn ceremony to test.',
  S70: 'Passkeys (issue 14) are not built yet: there is no WebAuthn ceremony to test.',
  S71: 'Passkeys (issue 14) are not built yet: there is no WebAuthn ceremony to test.',
  S72: 'Passkeys (issue 14) are not built yet: there is no WebAuthn ceremony to test.',
  S73: 'Passkeys (issue 14) are not built yet: there is no WebAuthn ceremony to test.',
  S74: 'Machine identity (issue 15) is not built yet: there are no machine clients or API keys to test.',
  S75: 'Machine identity (issue 15) is not built yet: there are no machine clients or API keys to test.',
  S76: 'Machine identity (issue 15) is not built yet: there are no machine clients or API keys to test.',
  S77: 'Machine identity (issue 15) is not built yet: there are no machine clients or API keys to test.',
  S78: 'Machine identity (issue 15) is not built yet: there are no machine clients or API keys to test.',
  S79: 'Machine identity (issue 15) is not built yet: there are no machine clients or API keys to test.',
  S80: 'Machine identity (issue 15) is not built yet: there are no machine clients or API keys to test.',
  S83: 'Fault injection (issue 16) is not built yet: no test injects DynamoDB, Secrets Manager or SES failures.',
};

export interface Requirement {
  id: string;
  title: string;
  tests: string[];
  status: 'covered' | 'pending' | 'missing';
  reason?: string;
}

/** Requirement ids and one-line titles, from ../shared/SECURITY.md when present, else S1–S50. */
export function requirements(): { id: string; title: string }[] {
  const doc = resolve(root, '../shared/SECURITY.md');
  if (existsSync(doc)) {
    const found = [...readFileSync(doc, 'utf8').matchAll(/^- \*\*(S\d+)\*\* (.*)$/gm)].map((m) => ({
      id: m[1],
      title: m[2].replace(/\s+/g, ' ').slice(0, 70),
    }));
    if (found.length) return found;
  }
  return Array.from({ length: 50 }, (_, i) => ({ id: `S${i + 1}`, title: '' }));
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    // Test files, and shared suites such as the store contract that test files run.
    return /\.ts$/.test(name) && name !== 'coverage.ts' ? [path] : [];
  });
}

const TITLE =
  /\b(?:it|test|describe)(\.(?:skip|only|todo|skipIf\([^)]*\)|runIf\([^)]*\)|concurrent|sequential))?\(\s*(['"`])((?:(?!\2).)*)\2/g;

/** id → the tests (file › title) that name it. */
export function testsById(): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const file of testFiles(join(root, 'test'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(TITLE)) {
      if (m[1] === '.todo') continue;
      for (const id of new Set(m[3].match(/\bS\d{1,2}\b/g) ?? [])) {
        const list = byId.get(id) ?? [];
        list.push(`${relative(root, file)} › ${m[3].slice(0, 80)}`);
        byId.set(id, list);
      }
    }
  }
  return byId;
}

export function coverage(): Requirement[] {
  const byId = testsById();
  return requirements().map(({ id, title }) => {
    const tests = byId.get(id) ?? [];
    if (tests.length) return { id, title, tests, status: 'covered' as const };
    if (PENDING[id]) return { id, title, tests, status: 'pending' as const, reason: PENDING[id] };
    return { id, title, tests, status: 'missing' as const };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = coverage();
  console.log('| id | requirement | status | tests |');
  console.log('|---|---|---|---|');
  for (const r of rows) {
    const detail = r.status === 'covered' ? `${r.tests.length} test(s), e.g. ${r.tests[0]}` : (r.reason ?? 'NO TEST');
    console.log(`| ${r.id} | ${r.title.replace(/\|/g, '\\|')} | ${r.status} | ${detail.replace(/\|/g, '\\|')} |`);
  }
  const count = (s: Requirement['status']) => rows.filter((r) => r.status === s).length;
  console.log(`\n${count('covered')} covered, ${count('pending')} pending (with reasons), ${count('missing')} missing`);
  process.exitCode = count('missing') ? 1 : 0;
}

/**
 * Which requirement of test/security/catalogue.md is proven by which test. A test proves a requirement when its
 * title (or the title of its `describe`) names the id, e.g. `it('S25: N parallel refreshes …')`. `it.todo` does
 * not count. A catalogue line that ends in `*Pending:* <reason>` is a feature not built yet, never silently
 * skipped. `npm run security:coverage` prints the table and exits non-zero on a requirement that is neither
 * covered nor pending, or on a test tag the catalogue does not list; test/security/coverage.test.ts asserts the same.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
export const CATALOGUE = join(root, 'test/security/catalogue.md');

interface Entry {
  id: string;
  title: string;
  pending?: string;
}

/** The catalogue's entries, in file order. It lives in the repository so coverage never depends on a file outside it. */
export function catalogue(): Entry[] {
  return [...readFileSync(CATALOGUE, 'utf8').matchAll(/^- \*\*(S\d+)\*\* — (.*)$/gm)].map((m) => {
    const [title, pending] = m[2].split(/\s*\*Pending:\*\s*/);
    return { id: m[1], title: title.trim(), ...(pending ? { pending: pending.trim() } : {}) };
  });
}

/** Requirements not yet provable because their feature is not built; each with the reason the catalogue gives. */
export const PENDING: Record<string, string> = Object.fromEntries(
  catalogue().flatMap((e) => (e.pending ? [[e.id, e.pending]] : [])),
);

export interface Requirement {
  id: string;
  title: string;
  tests: string[];
  status: 'covered' | 'pending' | 'missing';
  reason?: string;
}

/** Requirement ids and one-line titles, from the catalogue. */
export function requirements(): { id: string; title: string }[] {
  return catalogue().map(({ id, title }) => ({ id, title: title.slice(0, 70) }));
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

/** Ids that tests name but the catalogue does not list (a typo, or a requirement never catalogued). */
export function unknownTags(): string[] {
  const known = new Set(catalogue().map((e) => e.id));
  return [...testsById().keys()].filter((id) => !known.has(id)).sort();
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
  const unknown = unknownTags();
  console.log(`\n${count('covered')} covered, ${count('pending')} pending (with reasons), ${count('missing')} missing`);
  if (unknown.length) console.log(`Tests name ids the catalogue does not list: ${unknown.join(', ')}`);
  process.exitCode = count('missing') || unknown.length ? 1 : 0;
}

/**
 * The tree shows the architecture (shared/README.md): small modules, no barrel files that would defeat
 * tree-shaking, nothing loose at the root of shared/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SOURCE_ROOTS = ['shared', 'functions', 'infra'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('layout', () => {
  const files = SOURCE_ROOTS.flatMap((root) => sourceFiles(join(ROOT, root)));

  it('no source file of shared/, functions/ or infra/ is over 300 lines', () => {
    const long = files
      .map((f) => ({ file: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 300);
    expect(long).toEqual([]);
  });

  it('shared/ has no barrel file (a module that only re-exports others) and nothing loose at its root', () => {
    const barrels = files.filter((f) => {
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      const statements = code
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean);
      return statements.length > 0 && statements.every((s) => /^export\s+(\*|\{|type\s*\{)[\s\S]*from\s/.test(s));
    });
    expect(barrels.map((f) => relative(ROOT, f))).toEqual([]);
    const loose = readdirSync(join(ROOT, 'shared')).filter((n) => statSync(join(ROOT, 'shared', n)).isFile());
    expect(loose).toEqual(['README.md']);
  });
});

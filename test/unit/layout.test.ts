/**
 * The tree shows the architecture (shared/README.md): small modules, no barrel files that would defeat
 * tree-shaking, nothing loose at the root of shared/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../helpers/source-files.js';

const ROOT = join(import.meta.dirname, '../..');
const SOURCE_ROOTS = ['shared', 'functions', 'infra'];

describe('layout', () => {
  const files = sourceFiles(SOURCE_ROOTS, /\.(ts|mjs)$/);

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

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '../..');

/**
 * Absolute paths of the source files under each of `dirs` (relative to the repository root) whose names match
 * `pattern`: declaration files (`.d.ts`) and `node_modules` left out.
 */
export function sourceFiles(dirs: readonly string[], pattern = /\.ts$/): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : walk(path);
      return pattern.test(name) && !name.endsWith('.d.ts') ? [path] : [];
    });
  return dirs.flatMap((dir) => walk(join(ROOT, dir)));
}

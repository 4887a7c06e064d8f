import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { blocks, markdownFiles, root } from './markdown.js';

const run = promisify(execFile);
// Inside the repository, so `lambda-auth/…` resolves through package.json's own `exports` (a package may import
// itself by name), exactly the entry points a consumer imports. Git-ignored, and removed after the run because
// tsconfig.json includes test/.
const dir = join(root, 'test/docs/.snippets');

describe('the TypeScript snippets of the docs type-check as written', () => {
  const snippets = markdownFiles()
    .flatMap((file) => blocks(file))
    .filter((b) => b.lang === 'ts');

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the authorizer, construct and client snippets', () => {
    const files = new Set(snippets.map((s) => s.file));
    expect([...files].sort()).toEqual([
      'functions/README.md',
      'functions/authorizer/README.md',
      'shared/client/README.md',
    ]);
    const imports = snippets.map((s) => s.code).join('\n');
    for (const entry of ['lambda-auth/auth-context', 'lambda-auth/client', 'lambda-auth/construct'])
      expect(imports).toContain(`from '${entry}'`);
  });

  it('every snippet compiles under the repository strict tsconfig, importing only the package export names', async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const names = snippets.map((s, i) => {
      // A relative import would compile here but break for a reader; the docs must use the export names.
      expect(s.code, `${s.file} snippet ${i}`).not.toMatch(/from '\.\.?\//);
      const name = `${s.file.replace(/[/.]/g, '-')}-${i}.ts`;
      writeFileSync(join(dir, name), s.code + '\n');
      return name;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../../tsconfig.json',
        compilerOptions: { noEmit: true },
        include: names,
        exclude: [],
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(result).toBe('');
    // tsc checks the whole program behind the exports (construct, functions): ~25 s alone, more on shared cores.
  }, 240_000);
});

import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, markdownFiles, read, relativeLinks, root } from './markdown.js';

describe('documentation links', () => {
  const files = markdownFiles().filter((f) => !f.startsWith('node_modules/'));

  it('finds the front door and every folder README', () => {
    for (const f of [
      'README.md',
      'functions/README.md',
      'functions/authorizer/README.md',
      'infra/README.md',
      'shared/README.md',
      'shared/client/README.md',
      'test/README.md',
      'test/security/catalogue.md',
    ]) {
      expect(files).toContain(f);
    }
  });

  it('every relative link points to an existing file, and every #anchor to a heading of it', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const link of relativeLinks(read(file))) {
        const [path, anchor] = link.split('#');
        const target = path ? join(dirname(join(root, file)), decodeURIComponent(path)) : join(root, file);
        if (!existsSync(target)) broken.push(`${file}: ${link} (no such file)`);
        else if (anchor && target.endsWith('.md') && !anchors(read(relative(root, target))).has(anchor))
          broken.push(`${file}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the front door stays a front door: the two commands first, short, and linking every area', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm ci && npm start\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
    const links = relativeLinks(readme).join(' ');
    for (const target of [
      'functions/README.md#api-reference',
      'functions/README.md#second-factors',
      'infra/README.md#configuration',
      'infra/README.md',
      'functions/authorizer/README.md',
      'test/README.md#security-model',
      'test/README.md#performance',
    ]) {
      expect(links).toContain(target);
    }
  });

  it('no document tells people to run the noisy `npx cdk synth` instead of `npm run synth`', () => {
    const offenders = files.filter((f) => /npx cdk synth/.test(read(f)));
    expect(offenders).toEqual([]);
  });
});

/**
 * Reading the repository's markdown for the docs suites: which documents there are, their fenced blocks (with
 * the `<!-- test: name -->` marker that makes a block runnable), and their relative links.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(import.meta.url), '../../..');

/** Every tracked or new (not ignored) markdown file, so a document added but not yet committed is checked too. */
export function markdownFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
    cwd: root,
    encoding: 'utf8',
  });
  return [...new Set(out.split('\n').filter(Boolean))].sort();
}

export function read(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

export interface Block {
  file: string;
  lang: string;
  /** The name of a `<!-- test: name -->` comment right before the fence, when there is one. */
  test?: string;
  code: string;
}

export function blocks(file: string): Block[] {
  const found: Block[] = [];
  for (const m of read(file).matchAll(/(?:<!-- test: ([\w-]+) -->\n)?```(\w*)[^\n]*\n([\s\S]*?)\n```/g)) {
    found.push({ file, lang: m[2], code: m[3], ...(m[1] ? { test: m[1] } : {}) });
  }
  return found;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function anchors(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set(
    [...withoutCode.matchAll(/^#{1,6} (.*)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** Relative links `[text](target)` outside code, as written. */
export function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

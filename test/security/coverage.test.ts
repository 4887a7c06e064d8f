import { describe, expect, it } from 'vitest';
import { coverage, PENDING, testsById } from './coverage.js';

describe('SECURITY.md coverage', () => {
  it('every requirement has a tagged test or is explicitly pending with a reason', () => {
    const missing = coverage()
      .filter((r) => r.status === 'missing')
      .map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it('no requirement stays listed as pending once a test proves it', () => {
    const byId = testsById();
    const stale = Object.keys(PENDING).filter((id) => byId.has(id));
    expect(stale).toEqual([]);
  });

  it('reads every requirement of SECURITY.md, from the first to the eighty-third', () => {
    expect(coverage().map((r) => r.id)).toEqual(Array.from({ length: 83 }, (_, i) => `S${i + 1}`));
  });
});

import { describe, expect, it } from 'vitest';
import { catalogue, coverage, PENDING, testsById, unknownTags } from './coverage.js';

describe('security requirement coverage (test/security/catalogue.md)', () => {
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

  it('every id a test names is listed in the catalogue', () => {
    expect(unknownTags()).toEqual([]);
  });

  it('lists every requirement once, from the first to the eighty-third, each with its own words', () => {
    const ids = catalogue().map((e) => e.id);
    expect([...ids].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(
      Array.from({ length: 83 }, (_, i) => `S${i + 1}`),
    );
    expect(new Set(ids).size).toBe(83);
    for (const e of catalogue()) expect(e.title.length, e.id).toBeGreaterThan(20);
  });

  it('marks what is not built yet (machine identity, fault injection) pending, each with a reason', () => {
    const pendingIds = Object.keys(PENDING).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    expect(pendingIds).toEqual([...Array.from({ length: 7 }, (_, i) => `S${i + 74}`), 'S83']);
    for (const reason of Object.values(PENDING)) expect(reason).toMatch(/not built|no test/);
  });
});

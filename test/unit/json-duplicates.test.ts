import { describe, expect, it } from 'vitest';
import { hasDuplicateTopLevelKeys } from '../../shared/domain/json-duplicates.js';

describe('Function: hasDuplicateTopLevelKeys', () => {
  it('S18: finds a repeated top-level name, also when spelled with escapes', () => {
    expect(hasDuplicateTopLevelKeys('{"a":1,"a":2}')).toBe(true);
    expect(hasDuplicateTopLevelKeys('{"alg":"x", "\\u0061lg" : "y"}')).toBe(true);
  });

  it('ignores nested objects, arrays and names inside string values', () => {
    expect(hasDuplicateTopLevelKeys('{"a":{"b":1,"b":2},"c":[{"d":1},{"d":2}]}')).toBe(false);
    expect(hasDuplicateTopLevelKeys('{"a":"\\"a\\":1","b":"a"}')).toBe(false);
    expect(hasDuplicateTopLevelKeys('{"x":"}","x2":"{"}')).toBe(false);
  });
});

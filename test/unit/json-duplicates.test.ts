import { describe, expect, it } from 'vitest';
import { hasDuplicateTopLevelKeys, topLevelMemberCount } from '../../shared/domain/json-duplicates.js';

describe('Function: hasDuplicateTopLevelKeys', () => {
  it('S18: finds a repeated top-level name, also when spelled with escapes', () => {
    expect(hasDuplicateTopLevelKeys('{"a":1,"a":2}')).toBe(true);
    expect(hasDuplicateTopLevelKeys('{"alg":"x", "\\u0061lg" : "y"}')).toBe(true);
    expect(hasDuplicateTopLevelKeys('{"a\\\\":1,"a\\u005c":2}')).toBe(true);
    expect(hasDuplicateTopLevelKeys('{"__proto__":1,"__proto__":2}')).toBe(true);
    expect(hasDuplicateTopLevelKeys('{"a"\t\r\n :1,"b":{},"a":[]}')).toBe(true);
  });

  it('ignores nested objects, arrays and names inside string values', () => {
    expect(hasDuplicateTopLevelKeys('{"a":{"b":1,"b":2},"c":[{"d":1},{"d":2}]}')).toBe(false);
    expect(hasDuplicateTopLevelKeys('{"a":"\\"a\\":1","b":"a"}')).toBe(false);
    expect(hasDuplicateTopLevelKeys('{"x":"}","x2":"{"}')).toBe(false);
    expect(hasDuplicateTopLevelKeys('{"x":"\\\\","y":"\\\\\\"x\\":"}')).toBe(false);
    expect(hasDuplicateTopLevelKeys('{"a":1,"A":2,"a ":3}')).toBe(false);
  });

  it('repeats nothing in a text that is not an object', () => {
    expect(hasDuplicateTopLevelKeys('["a","a"]')).toBe(false);
    expect(hasDuplicateTopLevelKeys('"a"')).toBe(false);
  });
});

describe('Function: topLevelMemberCount', () => {
  it('counts every top-level name as spelled, repeats included, and nothing nested or inside strings', () => {
    expect(topLevelMemberCount('{}')).toBe(0);
    expect(topLevelMemberCount('{"a":1,"a":2}')).toBe(2);
    expect(topLevelMemberCount(' { "a" : "b:c" , "d":[ "e" , {"f":"g"} ], "h":{"i":{"j":1}} } ')).toBe(3);
    // A string ending in an escaped backslash closes there; an escaped quote does not close it.
    expect(topLevelMemberCount('{"a\\\\":"\\\\","b":"\\"c\\":1"}')).toBe(2);
  });

  it('agrees with a name-by-name count on the claims this backend issues', () => {
    const claims = {
      iss: 'https://auth.example.test',
      aud: ['https://api.example.test', 'x'],
      sub: 'user-1',
      email: 'a"l\\ice@example.com',
      roles: ['user', 'admin'],
      cnf: { 'x5t#S256': 'abc' },
      amr: ['pwd', 'mfa'],
      exp: 1,
      iat: 0,
      name: 'Zoë 😀 "quoted" {braces} [brackets]',
    };
    expect(topLevelMemberCount(JSON.stringify(claims))).toBe(Object.keys(claims).length);
    expect(topLevelMemberCount(JSON.stringify(claims, null, 2))).toBe(Object.keys(claims).length);
  });
});

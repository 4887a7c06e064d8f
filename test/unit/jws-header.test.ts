import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeSegment,
  HeaderCache,
  isAsciiWithoutBase64Extras,
  isCanonicalSegment,
} from '../../shared/domain/jws-header.js';
import { scannedMemberCount, topLevelMemberCount } from '../../shared/domain/json-duplicates.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The definition the O(1) check replaces: decoding, then encoding again, gives back the very same string. */
const reencodes = (segment: string) =>
  segment.length > 0 && Buffer.from(segment, 'base64url').toString('base64url') === segment;

describe('Function: isCanonicalSegment', () => {
  it('S14, S18: agrees with decode-and-re-encode for every last character of every length class', () => {
    // Prepare: lengths 1 to 12 cover every length % 4, each with all 64 possible last characters.
    for (let length = 1; length <= 12; length++) {
      const stem = Buffer.from(randomBytes(12))
        .toString('base64url')
        .slice(0, length - 1);
      for (const last of ALPHABET) {
        const segment = `${stem}${last}`;
        // Act / Assess
        expect(isCanonicalSegment(segment), segment).toBe(reencodes(segment));
      }
    }
  });

  it('S18: refuses every segment whose length is 1 more than a multiple of 4 (no byte count gives it)', () => {
    for (const segment of ['A', 'AAAAA', 'AAAAAAAAw']) expect(isCanonicalSegment(segment)).toBe(false);
  });

  it('S14: length % 4 = 2 takes only last characters with the 4 spare bits clear (4 of 64), % 4 = 3 with 2 clear (16)', () => {
    const accepted = (stem: string) => [...ALPHABET].filter((c) => isCanonicalSegment(`${stem}${c}`)).join('');
    expect(accepted('A')).toBe('AQgw');
    expect(accepted('AA')).toBe('AEIMQUYcgkosw048');
    expect(accepted('AAA')).toBe(ALPHABET);
  });

  it('S18: checks only the range it is given, and an empty range is never canonical', () => {
    const token = 'AAAA.AR.AQ';
    expect(isCanonicalSegment(token, 0, 4)).toBe(true);
    expect(isCanonicalSegment(token, 5, 7)).toBe(false); // 'AR': R (17) sets a spare bit
    expect(isCanonicalSegment(token, 8)).toBe(true); // 'AQ': Q (16) sets none
    expect(isCanonicalSegment(token, 4, 4)).toBe(false);
    expect(isCanonicalSegment(token, 0, 5)).toBe(false); // 5 characters
  });
});

/** The definition: only the 64 alphabet characters, and decoding then encoding gives back the very same string. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const canonical = (segment: string) => BASE64URL.test(segment) && reencodes(segment);
/** The verifier's way: the whole text checked natively, then the segment decoded and its byte count compared. */
const cheap = (segment: string) =>
  isAsciiWithoutBase64Extras(segment) && decodeSegment(segment, 0, segment.length) !== undefined;

describe('Functions: isAsciiWithoutBase64Extras + decodeSegment', () => {
  it('S18: agree with the alphabet and canonical form for every ASCII character, in every position of every length class', () => {
    // Prepare: stems of lengths 0 to 11 (every length % 4 once the character is in), the character first, inside, last.
    const stem = 'QUJDREVGR0hJSktM'; // canonical base64url of "ABCDEFGHIJKL"
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code);
      for (let length = 0; length < 12; length++) {
        const base = stem.slice(0, length);
        for (const segment of [
          `${c}${base}`,
          `${base.slice(0, length >> 1)}${c}${base.slice(length >> 1)}`,
          `${base}${c}`,
        ]) {
          // Act / Assess
          expect(cheap(segment), JSON.stringify(segment)).toBe(canonical(segment));
        }
      }
    }
  });

  it('S18: refuse characters beyond ASCII, also those whose low byte is an alphabet character (U+0141 ends in 0x41, A)', () => {
    for (const c of ['\u0141', '\u012b', '\u00e9', '\u{1F600}', '\ud800', '\u0000']) {
      expect(cheap(`QUJD${c}REVG`)).toBe(false);
      expect(cheap(`QUJDRE${c}`)).toBe(false);
    }
  });

  it('S18: refuse padding, standard base64 and whitespace, and decode what they accept to the same bytes as Node', () => {
    for (const bad of ['QQ==', 'QUI=', 'a+bc', 'ab/c', 'QUJD REVG', 'QUJD\nREVG', 'QUJD\tREVG', '', 'QUJDR']) {
      expect(cheap(bad), bad).toBe(false);
    }
    const good = Buffer.from(randomBytes(64)).toString('base64url');
    expect(decodeSegment(`x.${good}.y`, 2, 2 + good.length)).toEqual(Buffer.from(good, 'base64url'));
  });
});

describe('Function: topLevelMemberCount (fast path)', () => {
  it('S18: gives the full scan\'s count on crafted texts: escapes, nesting, whitespace, ":" and braces inside strings', () => {
    const texts = [
      '{}',
      '{"a":1,"a":2}',
      '{"a":":","b":":x","c":[":",":"]}',
      '{"a" :1,"a"\t\r\n:2}',
      '{"a":"x\\":1","a":2}',
      '{"alg":"x", "\\u0061lg" : "y"}',
      '{"a":{"b":1,"b":2},"c":[{"d":1}]}',
      '{"a":"{","b":"}"}',
      '{"a":[1,[2,"x"]],"b":true,"c":null,"d":-1.5e3}',
      ' {"a":1,"a":2} ',
      '{"scope":"openid profile","roles":["user","admin"],"amr":["pwd"],"exp":1}',
      '{"a":"","":"","b":"\\\\"}',
    ];
    for (const text of texts) {
      JSON.parse(text); // both count valid JSON only
      expect(topLevelMemberCount(text), text).toBe(scannedMemberCount(text));
    }
  });

  it('S18: counts a repeated name each time, so a duplicate in flat claims is still refused', () => {
    const claims = '{"sub":"u","roles":["user"],"jti":"j","roles":["admin"]}';
    expect(topLevelMemberCount(claims)).toBe(4);
    expect(Object.keys(JSON.parse(claims) as object)).toHaveLength(3);
  });

  it('S18: agrees with the full scan on random flat objects with spaces and colons in their values', () => {
    for (let i = 0; i < 200; i++) {
      const object: Record<string, unknown> = {};
      const n = 1 + (i % 9);
      for (let k = 0; k < n; k++) {
        object[`k${k}${i % 3 === 0 ? ' :' : ''}`] = k % 3 === 0 ? `v: ${k} ":"` : k % 3 === 1 ? [`:${k}`, k] : k;
      }
      for (const text of [JSON.stringify(object), JSON.stringify(object, null, 1)]) {
        expect(topLevelMemberCount(text), text).toBe(scannedMemberCount(text));
        expect(topLevelMemberCount(text)).toBe(n);
      }
    }
  });
});

describe('Class: HeaderCache', () => {
  const header = (kid: string) =>
    Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ: 'at+jwt' })).toString('base64url');

  it('S18: finds a kept header only when the whole segment before the first dot is the same', () => {
    // Prepare
    const cache = new HeaderCache(['ES256']);
    const segment = header('k1');
    expect(cache.check(segment, Buffer.from(segment, 'base64url'))).toEqual({
      alg: 'ES256',
      kid: 'k1',
      accessTokenTyp: true,
    });

    // Act / Assess
    expect(cache.get(`${segment}.p.s`, segment.length)?.kid).toBe('k1');
    expect(cache.get(`${segment}A.p.s`, segment.length + 1)).toBeUndefined();
    expect(cache.get(`${segment.slice(0, -1)}.p.s`, segment.length - 1)).toBeUndefined();
    expect(cache.get(`${segment.slice(0, -1)}B.p.s`, segment.length)).toBeUndefined();
  });

  it('S18: keeps only headers that passed, and the last 16 of them', () => {
    // Prepare
    const cache = new HeaderCache(['ES256']);
    const refused = Buffer.from(JSON.stringify({ alg: 'none', kid: 'k' })).toString('base64url');
    expect(cache.check(refused, Buffer.from(refused, 'base64url'))).toBe('claim_invalid');
    const segments = Array.from({ length: 17 }, (_, i) => header(`k${i}`));
    for (const s of segments) cache.check(s, Buffer.from(s, 'base64url'));

    // Assess
    expect(cache.get(`${refused}.p.s`, refused.length)).toBeUndefined();
    expect(cache.get(`${segments[0]}.p.s`, segments[0].length)).toBeUndefined();
    for (const s of segments.slice(1))
      expect(cache.get(`${s}.p.s`, s.length)?.kid).toBe(JSON.parse(Buffer.from(s, 'base64url').toString()).kid);
  });
});

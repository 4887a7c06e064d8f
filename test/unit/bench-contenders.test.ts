/**
 * The authorizer benchmark compares like with like: every contender accepts the same token as issued at sign-in
 * (amr and auth_time included) and produces the same authorizer context, so `npm run bench` cannot break unseen.
 */
import { describe, expect, it } from 'vitest';
import { contendersFor } from '../bench/authorizer.js';

describe('authorizer bench contenders', () => {
  for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
    it(`${alg}: every contender accepts the sign-in token`, async () => {
      // contendersFor runs each contender once and throws, naming it, when one rejects the token.
      const { token, tokens, contenders } = await contendersFor(alg, 4);
      expect(token.split('.')).toHaveLength(3);
      // Each call of a contender takes the next token: none can profit from a cache keyed on the token string.
      expect(new Set(tokens).size).toBe(4);
      expect(Object.keys(contenders)).toEqual(expect.arrayContaining(['raw', 'handler', 'aws-jwt-verify', 'jose']));
    });
  }
});

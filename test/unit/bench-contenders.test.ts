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
      const { token, contenders } = await contendersFor(alg);
      expect(token.split('.')).toHaveLength(3);
      expect(Object.keys(contenders)).toEqual(expect.arrayContaining(['raw', 'handler', 'aws-jwt-verify', 'jose']));
    });
  }
});

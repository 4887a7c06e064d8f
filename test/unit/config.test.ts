import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, required } from '../../shared/config/config.js';

const ISSUER = 'https://auth.example.test';

describe('Function: loadConfig', () => {
  it('applies the documented defaults and derives AUDIENCE and JWKS_URL from ISSUER', () => {
    // Act
    const c = loadConfig({ ISSUER, CORS_ORIGINS: 'https://app.example.com, https://b.example.com', DEFAULT_ROLES: '' });

    // Assess
    expect(c).toMatchObject({
      AUDIENCE: ISSUER,
      JWKS_URL: `${ISSUER}/.well-known/jwks.json`,
      SIGNING_ALG: 'ES256',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      CLOCK_TOLERANCE_SECONDS: 30,
      DEFAULT_ROLES: ['user'],
      CORS_ORIGINS: ['https://app.example.com', 'https://b.example.com'],
      REFRESH_COOKIE_NAME: '__Secure-refresh_token',
      MAX_BODY_BYTES: 8192,
    });
  });

  it('coerces numbers from strings', () => {
    expect(loadConfig({ ISSUER, ACCESS_TOKEN_TTL_SECONDS: '300' }).ACCESS_TOKEN_TTL_SECONDS).toBe(300);
  });

  it.each([
    [{}, /ISSUER/],
    [{ ISSUER: 'not a url' }, /ISSUER: must be a URL/],
    [{ ISSUER: `${ISSUER}/` }, /ISSUER: must not end with a slash/],
    [{ ISSUER, CLOCK_TOLERANCE_SECONDS: '61' }, /CLOCK_TOLERANCE_SECONDS: must be at most 60/],
    [{ ISSUER, ACCESS_TOKEN_TTL_SECONDS: '12.5' }, /ACCESS_TOKEN_TTL_SECONDS: must be an integer/],
    [{ ISSUER, PASSWORD_MIN_LENGTH: '7' }, /PASSWORD_MIN_LENGTH: must be at least 8/],
    [{ ISSUER, SIGNING_ALG: 'HS256' }, /SIGNING_ALG: must be ES256, RS256 or EdDSA/],
    [{ ISSUER, REFRESH_COOKIE_NAME: 'rt' }, /REFRESH_COOKIE_NAME: must start with __Secure- or __Host-/],
    [{ ISSUER, CORS_ORIGINS: 'https://app.example.com/' }, /CORS_ORIGINS\.0: must be an origin/],
    [{ ISSUER, JWKS_URL: 'nope' }, /JWKS_URL: must be a URL/],
    [
      { ISSUER, REFRESH_IDLE_TTL_SECONDS: '7200', REFRESH_ABSOLUTE_TTL_SECONDS: '3600' },
      /REFRESH_ABSOLUTE_TTL_SECONDS must be >= REFRESH_IDLE_TTL_SECONDS/,
    ],
  ])('throws a ConfigError naming the variable for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ ISSUER, MAX_BODY_BYTES: 'x', LOGIN_WINDOW_SECONDS: '1' })).toThrow(
      /MAX_BODY_BYTES.*LOGIN_WINDOW_SECONDS|LOGIN_WINDOW_SECONDS.*MAX_BODY_BYTES/,
    );
  });
});

describe('Function: required', () => {
  it('names the missing variable', () => {
    expect(() => required(undefined, 'USERS_TABLE')).toThrow(/USERS_TABLE is required/);
    expect(required('t', 'USERS_TABLE')).toBe('t');
  });
});

describe('Function: loadVerifierConfig (the authorizer’s small schema)', () => {
  const pick = (c: Record<string, unknown>) =>
    Object.fromEntries(
      [
        'ISSUER',
        'AUDIENCE',
        'SIGNING_ALG',
        'CLOCK_TOLERANCE_SECONDS',
        'JWKS_URL',
        'JWKS_COOLDOWN_SECONDS',
        'JWKS_CACHE_SECONDS',
      ].map((k) => [k, c[k]]),
    );
  const outcome = (load: () => Record<string, unknown>) => {
    try {
      return { ok: pick(load()) };
    } catch (e) {
      return {
        error: (e as Error).name,
        names: [
          'ISSUER',
          'AUDIENCE',
          'SIGNING_ALG',
          'CLOCK_TOLERANCE_SECONDS',
          'JWKS_URL',
          'JWKS_COOLDOWN_SECONDS',
          'JWKS_CACHE_SECONDS',
        ].filter((k) => (e as Error).message.includes(`${k}:`)),
      };
    }
  };

  it.each<Record<string, string>>([
    { ISSUER },
    {
      ISSUER,
      AUDIENCE: 'https://api.example.test',
      SIGNING_ALG: 'EdDSA',
      CLOCK_TOLERANCE_SECONDS: '0',
      JWKS_URL: 'https://keys.example.test/jwks.json',
    },
    { ISSUER, CLOCK_TOLERANCE_SECONDS: '60', JWKS_COOLDOWN_SECONDS: '1', JWKS_CACHE_SECONDS: '86400' },
    { ISSUER, CLOCK_TOLERANCE_SECONDS: ' 30 ', JWKS_CACHE_SECONDS: '30.0' },
    {},
    { ISSUER: `${ISSUER}/` },
    { ISSUER: 'not a url' },
    { ISSUER, CLOCK_TOLERANCE_SECONDS: '61' },
    { ISSUER, CLOCK_TOLERANCE_SECONDS: '-1' },
    { ISSUER, CLOCK_TOLERANCE_SECONDS: '1.5' },
    { ISSUER, CLOCK_TOLERANCE_SECONDS: 'abc' },
    { ISSUER, SIGNING_ALG: 'HS256' },
    { ISSUER, JWKS_URL: 'nope' },
    { ISSUER, JWKS_COOLDOWN_SECONDS: '0', JWKS_CACHE_SECONDS: '86401' },
  ])('S15/S16: agrees with loadConfig on %j (same values, or an error naming the same variables)', async (env) => {
    const { loadVerifierConfig } = await import('../../shared/config/verifier-config.js');
    expect(outcome(() => loadVerifierConfig(env) as unknown as Record<string, unknown>)).toEqual(
      outcome(() => loadConfig(env) as unknown as Record<string, unknown>),
    );
  });
});

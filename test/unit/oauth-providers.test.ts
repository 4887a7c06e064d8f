import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { resolveProviders } from '../../shared/domain/oauth/providers.js';

const base = { ISSUER: 'https://auth.example.com' };
const providers = (value: unknown) => loadConfig({ ...base, OAUTH_PROVIDERS: JSON.stringify(value) }).OAUTH_PROVIDERS;

describe('Config: OAUTH_PROVIDERS', () => {
  it('defaults to no provider, and the insecure-issuer switch to off', () => {
    const c = loadConfig(base);
    expect(c.OAUTH_PROVIDERS).toEqual({});
    expect(c.OAUTH_ALLOW_INSECURE_ISSUER).toBe(false);
    expect(c.OAUTH_TRANSACTION_TTL_SECONDS).toBe(600);
  });

  it('applies the presets: Google and Microsoft by discovery, GitHub as plain OAuth 2.0', () => {
    const resolved = resolveProviders(
      providers({
        google: { preset: 'google', clientId: 'g' },
        entra: { preset: 'microsoft', clientId: 'm', tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
        github: {
          preset: 'github',
          clientId: 'h',
          clientSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gh-AbCdEf',
        },
        corp: { issuer: 'https://idp.example.com', clientId: 'c', scopes: ['openid', 'email'] },
      }),
    );
    expect(resolved['google']).toMatchObject({
      kind: 'oidc',
      issuer: 'https://accounts.google.com',
      scopes: ['openid', 'email', 'profile'],
    });
    expect(resolved['entra']).toMatchObject({
      kind: 'oidc',
      issuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
    });
    expect(resolved['entra'].emailVerifiedClaims).toContain('xms_edov');
    expect(resolved['github']).toMatchObject({
      kind: 'github',
      issuer: 'https://github.com',
      endpoints: { token: 'https://github.com/login/oauth/access_token' },
    });
    expect(resolved['corp']).toMatchObject({
      kind: 'oidc',
      issuer: 'https://idp.example.com',
      scopes: ['openid', 'email'],
    });
  });

  it.each([
    ['not JSON', '{nope'],
    ['no issuer and no preset', JSON.stringify({ x: { clientId: 'c' } })],
    ['no clientId', JSON.stringify({ x: { issuer: 'https://idp.example.com' } })],
    [
      'both secret forms',
      JSON.stringify({
        x: {
          issuer: 'https://idp.example.com',
          clientId: 'c',
          clientSecret: 's',
          clientSecretArn: 'arn:aws:secretsmanager:x',
        },
      }),
    ],
    ['a bad provider name', JSON.stringify({ 'Bad Name': { preset: 'google', clientId: 'c' } })],
    ['an unknown field', JSON.stringify({ x: { preset: 'google', clientId: 'c', roles: ['admin'] } })],
    ['a scope with a space', JSON.stringify({ x: { preset: 'google', clientId: 'c', scopes: ['openid email'] } })],
    ['microsoft without tenant', JSON.stringify({ x: { preset: 'microsoft', clientId: 'c' } })],
    [
      'endpoints on an OIDC provider',
      JSON.stringify({
        x: {
          preset: 'google',
          clientId: 'c',
          endpoints: { authorization: 'https://a', token: 'https://b', api: 'https://c' },
        },
      }),
    ],
    [
      'a non-ARN secret reference',
      JSON.stringify({ x: { preset: 'google', clientId: 'c', clientSecretArn: 'my-secret' } }),
    ],
  ])('fails fast naming OAUTH_PROVIDERS on %s', (_name, value) => {
    expect(() => loadConfig({ ...base, OAUTH_PROVIDERS: value })).toThrow(/OAUTH_PROVIDERS/);
  });

  it('ALLOWED_REDIRECT_ORIGINS must be exact origins', () => {
    expect(
      loadConfig({ ...base, ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com, http://127.0.0.1:3000' })
        .ALLOWED_REDIRECT_ORIGINS,
    ).toEqual(['https://app.example.com', 'http://127.0.0.1:3000']);
    expect(() => loadConfig({ ...base, ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com/' })).toThrow(
      /ALLOWED_REDIRECT_ORIGINS/,
    );
    expect(() => loadConfig({ ...base, OAUTH_TRANSACTION_TTL_SECONDS: '601' })).toThrow(
      /OAUTH_TRANSACTION_TTL_SECONDS/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config/config.js';

describe('Passkey configuration (WEBAUTHN_*)', () => {
  it('S67: locally (ISSUER on 127.0.0.1) the RP ID is localhost and the demo page origin is allowed', () => {
    const c = loadConfig({
      ISSUER: 'http://127.0.0.1:3000',
      CORS_ORIGINS: 'http://127.0.0.1:3000,http://localhost:3000',
    });
    expect(c.WEBAUTHN_RP_ID).toBe('localhost');
    expect(c.WEBAUTHN_ORIGINS).toEqual(['http://localhost:3000']);
    expect(c.WEBAUTHN_RP_NAME).toBe('localhost');
  });

  it('S67: a custom domain: the RP ID covers each origin', () => {
    const c = loadConfig({
      ISSUER: 'https://auth.example.com',
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_RP_NAME: 'Example',
      WEBAUTHN_ORIGINS: 'https://app.example.com, https://example.com',
    });
    expect(c).toMatchObject({
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_RP_NAME: 'Example',
      WEBAUTHN_ORIGINS: ['https://app.example.com', 'https://example.com'],
    });
  });

  it.each([
    [{ WEBAUTHN_ORIGINS: 'http://app.example.com' }, /WEBAUTHN_ORIGINS: .*https/],
    [{ WEBAUTHN_ORIGINS: 'https://app.example.com/' }, /WEBAUTHN_ORIGINS/],
    [
      { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://evil-example.com' },
      /WEBAUTHN_ORIGINS: .*WEBAUTHN_RP_ID/,
    ],
    [
      { WEBAUTHN_RP_ID: 'app.example.com', WEBAUTHN_ORIGINS: 'https://example.com' },
      /WEBAUTHN_RP_ID "app\.example\.com"/,
    ],
    [{ WEBAUTHN_RP_ID: '10.0.0.1' }, /WEBAUTHN_RP_ID: must be a domain/],
    [{ WEBAUTHN_RP_ID: 'https://example.com' }, /WEBAUTHN_RP_ID: must be a domain/],
  ])('S67: %j fails at cold start naming the variable', (env, message) => {
    const load = () => loadConfig({ ISSUER: 'https://auth.example.com', ...env });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});

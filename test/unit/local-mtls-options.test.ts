/** `npm start`'s mutual-TLS settings from the environment (infra/local/local-options.ts): off unless asked for. */
import { describe, expect, it } from 'vitest';
import { mtlsOptionsFromEnv } from '../../infra/local/local-options.js';

describe('LOCAL_MTLS_* (the local mutual-TLS listener)', () => {
  it('is off without LOCAL_MTLS_PORT, so the plain listener stays as it is', () => {
    expect(mtlsOptionsFromEnv({})).toBeUndefined();
    expect(mtlsOptionsFromEnv({ LOCAL_MTLS_PORT: '', LOCAL_MTLS_TRUSTSTORE: 'ca.pem' })).toBeUndefined();
  });

  it('takes a port, the truststore and optionally the server certificate and key', () => {
    expect(mtlsOptionsFromEnv({ LOCAL_MTLS_PORT: '3443', LOCAL_MTLS_TRUSTSTORE: 'ca.pem' })).toEqual({
      port: 3443,
      truststoreFile: 'ca.pem',
    });
    expect(
      mtlsOptionsFromEnv({
        LOCAL_MTLS_PORT: '0',
        LOCAL_MTLS_TRUSTSTORE: 'ca.pem',
        LOCAL_MTLS_CERT: 's.pem',
        LOCAL_MTLS_KEY: 's.key',
      }),
    ).toEqual({ port: 0, truststoreFile: 'ca.pem', certFile: 's.pem', keyFile: 's.key' });
  });

  it('names the variable when a setting is wrong or missing', () => {
    expect(() => mtlsOptionsFromEnv({ LOCAL_MTLS_PORT: 'https', LOCAL_MTLS_TRUSTSTORE: 'ca.pem' })).toThrow(
      /LOCAL_MTLS_PORT must be a port number/,
    );
    expect(() => mtlsOptionsFromEnv({ LOCAL_MTLS_PORT: '3443' })).toThrow(/needs LOCAL_MTLS_TRUSTSTORE/);
    expect(() =>
      mtlsOptionsFromEnv({ LOCAL_MTLS_PORT: '3443', LOCAL_MTLS_TRUSTSTORE: 'ca.pem', LOCAL_MTLS_CERT: 's.pem' }),
    ).toThrow(/LOCAL_MTLS_CERT and LOCAL_MTLS_KEY go together/);
  });
});

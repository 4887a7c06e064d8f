/**
 * The local OpenID provider (infra/local/dev-oidc.ts) on https, as a deployed stack requires of an OAuth issuer:
 * its certificate is the one the deployed suite's global setup made and every process trusts through
 * NODE_EXTRA_CA_CERTS (the function processes get it in their environment, as Node's own variable).
 */
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { startDevOidc } from '../../infra/local/dev-oidc.js';

export interface HttpsDevOidc {
  issuer: string;
  /** The CA file the function processes need in NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** The client's redirect URI, known once the rehearsal's gateway listens (read on the provider's first request). */
  setRedirectUri(uri: string): void;
  close(): Promise<void>;
}

export async function startHttpsDevOidc(client: { clientId: string; clientSecret: string }): Promise<HttpsDevOidc> {
  const { keyFile, certFile } = inject('rehearsalTls');
  let redirectUri = '';
  const oidc = await startDevOidc({
    tls: { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') },
    clients: () => [{ ...client, redirectUris: [redirectUri] }],
  });
  return {
    issuer: oidc.issuer,
    caFile: certFile,
    setRedirectUri: (uri) => {
      redirectUri = uri;
    },
    close: () => oidc.close(),
  };
}

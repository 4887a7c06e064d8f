/**
 * The local stand-in for an API Gateway custom domain with mutual TLS (infra/constructs/mutual-tls.ts): an HTTPS
 * listener in front of the same gateway as the plain one, that refuses any TLS handshake without a client
 * certificate chaining to the truststore (as API Gateway does, before any function runs), and hands the verified
 * certificate to the functions in `requestContext.authentication.clientCert` (infra/local/http-api-event.ts).
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCertificate } from './certificates.js';

export interface MutualTlsOptions {
  /** 0 picks a free port. */
  port: number;
  /** The PEM bundle of the CAs whose client certificates are accepted (API Gateway's truststore). */
  truststoreFile: string;
  /**
   * The server's certificate and key (PEM files). Without them a throw-away certificate for 127.0.0.1 and
   * localhost is made at start (clients must then skip server verification or trust `serverCertPem`).
   */
  certFile?: string;
  keyFile?: string;
}

export interface MutualTlsListener {
  url: string;
  port: number;
  /** The server certificate the listener presents (PEM), for a client to trust. */
  serverCertPem: string;
  close(): Promise<void>;
}

export async function startMutualTlsListener(
  options: MutualTlsOptions,
  host: string,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<MutualTlsListener> {
  const ca = await readFile(options.truststoreFile, 'utf8').catch((e: Error) => {
    throw new Error(`LOCAL_MTLS_TRUSTSTORE: cannot read ${options.truststoreFile}: ${e.message}`);
  });
  if (!/-----BEGIN CERTIFICATE-----/.test(ca))
    throw new Error(`LOCAL_MTLS_TRUSTSTORE: ${options.truststoreFile} holds no PEM certificate`);
  if ((options.certFile === undefined) !== (options.keyFile === undefined))
    throw new Error('LOCAL_MTLS_CERT and LOCAL_MTLS_KEY go together: give both or neither');
  const server = options.certFile
    ? { certPem: await readFile(options.certFile, 'utf8'), keyPem: await readFile(options.keyFile!, 'utf8') }
    : makeCertificate({ subject: { CN: host }, use: 'server', altNames: [`IP:${host}`, 'DNS:localhost'] });
  const https: Server = createServer(
    {
      cert: server.certPem,
      key: server.keyPem,
      ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    handle,
  );
  await new Promise<void>((ok, fail) => {
    https.once('error', fail);
    https.listen(options.port, host, () => ok());
  });
  const port = (https.address() as AddressInfo).port;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    serverCertPem: server.certPem,
    close: async () => {
      https.closeAllConnections();
      await new Promise<void>((ok) => https.close(() => ok()));
    },
  };
}

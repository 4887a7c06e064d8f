/**
 * The authorizer's JWKS GET (shared/adapters/http-get.ts) against real servers on loopback: what it returns, and
 * that every way a server can misbehave ends in an error within the timeout (the verifier then denies, S19) —
 * a redirect not followed, an oversized body cut off, a hang, a dropped connection, a certificate nobody vouches for.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCertificate } from '../../infra/local/certificates.js';
import { HttpGetError, httpGet, type HttpGetOptions } from '../../shared/adapters/http-get.js';

const OPTIONS: HttpGetOptions = { accept: 'application/json', timeoutMs: 1_000, maxBytes: 1_024 };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((ok) => s.close(ok));
    }),
  );
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A server on a free loopback port; with `tls` (a certificate and its key), an https one. */
async function serve(
  handler: Handler,
  tls?: { certPem: string; keyPem: string },
): Promise<{ url: URL; requests: string[] }> {
  const server: Server = tls ? createTlsServer({ cert: tls.certPem, key: tls.keyPem }) : createServer();
  const requests: string[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.url} accept=${req.headers.accept}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`${tls ? 'https' : 'http'}://127.0.0.1:${port}/.well-known/jwks.json`), requests };
}

const failure = (attempt: Promise<unknown>) =>
  attempt.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as HttpGetError,
  );

describe('httpGet (loopback servers)', () => {
  it('returns the status and body, and sends the accept header', async () => {
    // Prepare
    const { url, requests } = await serve((_req, res) => res.end('{"keys":[]}'));

    // Act
    const answer = await httpGet(url, OPTIONS);

    // Assess
    expect(answer).toEqual({ status: 200, body: '{"keys":[]}' });
    expect(requests).toEqual(['/.well-known/jwks.json accept=application/json']);
  });

  it('S19: hands back a 503 as it is, for the caller to refuse', async () => {
    // Prepare
    const { url } = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });

    // Act / Assess
    expect(await httpGet(url, OPTIONS)).toEqual({ status: 503, body: 'down' });
  });

  it('S19: does not follow a redirect to keys nobody configured', async () => {
    // Prepare
    const elsewhere = await serve((_req, res) => res.end('{"keys":[]}'));
    const { url } = await serve((_req, res) => {
      res.writeHead(302, { location: elsewhere.url.href });
      res.end();
    });

    // Act
    const answer = await httpGet(url, OPTIONS);

    // Assess
    expect(answer.status).toBe(302);
    expect(elsewhere.requests).toEqual([]);
  });

  it('refuses a body whose content-length is over maxBytes without reading it', async () => {
    // Prepare
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '5000' });
      res.write('x'.repeat(100)); // and then nothing: a reader that waited for 5000 bytes would time out
    });

    // Act
    const error = await failure(httpGet(url, OPTIONS));

    // Assess
    expect(error).toBeInstanceOf(HttpGetError);
    expect(error.reason).toBe('too_large');
  });

  it('cuts off a chunked body as soon as it passes maxBytes', async () => {
    // Prepare: an endless body, a chunk every 5 ms.
    const { url } = await serve((_req, res) => {
      const timer = setInterval(() => res.write('x'.repeat(200)), 5);
      res.on('close', () => clearInterval(timer));
    });

    // Act
    const error = await failure(httpGet(url, OPTIONS));

    // Assess
    expect(error.reason).toBe('too_large');
  });

  it('S19: ends a server that never answers at the timeout', async () => {
    // Prepare
    const { url } = await serve(() => undefined);
    const t0 = Date.now();

    // Act
    const error = await failure(httpGet(url, { ...OPTIONS, timeoutMs: 200 }));

    // Assess
    expect(error.reason).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('S19: ends a body that stalls half-way at the timeout', async () => {
    // Prepare
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"keys":');
    });

    // Act
    const error = await failure(httpGet(url, { ...OPTIONS, timeoutMs: 200 }));

    // Assess
    expect(error.reason).toBe('timeout');
  });

  it('S19: a connection dropped mid-body is an error, not a short document', async () => {
    // Prepare
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"keys":', () => res.socket?.destroy());
    });

    // Act
    const error = await failure(httpGet(url, OPTIONS));

    // Assess
    expect(error.reason).toBe('network');
  });

  it('S19: nothing listening is a network error', async () => {
    // Prepare: a port that was just released.
    const { url } = await serve(() => undefined);
    await new Promise((ok) => servers.pop()!.close(ok));

    // Act
    const error = await failure(httpGet(url, OPTIONS));

    // Assess
    expect(error.reason).toBe('network');
  });

  it('S44: over https, refuses a certificate that no trusted authority issued', async () => {
    // Prepare
    const self = makeCertificate({ subject: { CN: 'localhost' }, use: 'server' });
    const { url, requests } = await serve((_req, res) => res.end('{"keys":[]}'), self);

    // Act
    const error = await failure(httpGet(url, OPTIONS));

    // Assess
    expect(error.reason).toBe('network');
    expect(requests).toEqual([]);
  });

  it('over https, fetches from a server whose authority the process trusts (NODE_EXTRA_CA_CERTS)', async () => {
    // Prepare: a CA, a server certificate it issued, and a fresh process that trusts the CA as Lambda's would.
    const ca = makeCertificate({ subject: { CN: 'test CA' }, use: 'ca' });
    const leaf = makeCertificate({ subject: { CN: 'localhost' }, use: 'server', issuer: ca });
    const { url } = await serve((_req, res) => res.end('{"keys":["trusted"]}'), leaf);
    const dir = await mkdtemp(join(tmpdir(), 'http-get-'));
    await writeFile(join(dir, 'ca.pem'), ca.certPem);
    const script = `import { httpGet } from ${JSON.stringify(new URL('../../shared/adapters/http-get.ts', import.meta.url).href)};
      const a = await httpGet(new URL(${JSON.stringify(url.href)}), ${JSON.stringify(OPTIONS)});
      process.stdout.write(JSON.stringify(a));`;

    try {
      // Act
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') }, timeout: 30_000 },
      );

      // Assess
      expect(JSON.parse(stdout)).toEqual({ status: 200, body: '{"keys":["trusted"]}' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

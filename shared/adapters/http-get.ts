/**
 * One GET with Node's own `node:http` / `node:https` client, for documents a function reads at cold start (the
 * authorizer's JWKS). Not `fetch`: Node loads its fetch implementation (undici) on the first call — a first `fetch`
 * of a loopback document took 47–59 ms in a fresh process, a `node:http` GET 16 ms (test/README.md › Performance) —
 * and the JWKS fetch is the first call of every authorizer container. The client module is imported on the first call, so a function's import does not pay for
 * it either. Redirects are not followed, a body over `maxBytes` is cut off unread, and the whole exchange ends
 * within `timeoutMs`. One connection per call (no keep-alive): these calls are minutes apart, and a pooled socket
 * would outlive a frozen Lambda environment.
 */
import type { IncomingMessage } from 'node:http';

export interface HttpGetOptions {
  /** The `accept` header. */
  accept: string;
  /** Connection, answer and body together, in milliseconds. */
  timeoutMs: number;
  /** A longer body (by `content-length` or as it arrives) fails with `HttpGetError` ('too_large'). */
  maxBytes: number;
}

export interface HttpGetResponse {
  status: number;
  body: string;
}

export class HttpGetError extends Error {
  override readonly name = 'HttpGetError';
  constructor(
    readonly reason: 'too_large' | 'timeout' | 'network',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export async function httpGet(url: URL, options: HttpGetOptions): Promise<HttpGetResponse> {
  const client = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<HttpGetResponse>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (error: HttpGetError) => {
      settle(() => reject(error));
      request.destroy();
    };
    const timer = setTimeout(
      () => fail(new HttpGetError('timeout', `no complete answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const request = client.get(
      url,
      { headers: { accept: options.accept }, agent: false },
      (response: IncomingMessage) => {
        const declared = Number(response.headers['content-length'] ?? 0);
        if (declared > options.maxBytes)
          return fail(new HttpGetError('too_large', `body over ${options.maxBytes} bytes`));
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) fail(new HttpGetError('too_large', `body over ${options.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () =>
          settle(() => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })),
        );
        // A connection lost mid-body: 'close' without 'end'.
        response.on('close', () => fail(new HttpGetError('network', 'connection closed before the body ended')));
        response.on('error', (cause) => fail(new HttpGetError('network', 'answer failed', { cause })));
      },
    );
    request.on('error', (cause) => fail(new HttpGetError('network', 'request failed', { cause })));
  });
}

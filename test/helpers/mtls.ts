/**
 * A `fetch` over mutual TLS for the suites: the global fetch of Node cannot present a client certificate, so this
 * sends the request with node:https (client certificate and key, the server's certificate as the only trusted
 * CA) and answers a standard `Response`. oauth4webapi takes it as its `customFetch`.
 */
import { request } from 'node:https';

export interface TlsIdentity {
  /** The client certificate and key (PEM); none makes a handshake without a client certificate. */
  cert?: string;
  key?: string;
  /** The server certificate to trust (PEM). */
  ca: string;
}

export function mtlsFetch(identity: TlsIdentity): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    return new Promise<Response>((ok, fail) => {
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          cert: identity.cert,
          key: identity.key,
          ca: identity.ca,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
            const status = res.statusCode ?? 500;
            ok(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers: h }));
          });
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  };
}

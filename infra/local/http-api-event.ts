/**
 * The API Gateway HTTP API payload 2.0 event of one request, as API Gateway builds it: cookies moved out of the
 * headers into `cookies`, repeated headers and query parameters joined with commas, the TCP peer as the source IP
 * (X-Forwarded-For is never trusted, S4), text bodies as UTF-8 and anything else base64, absent parts left out.
 * Over a mutual-TLS connection the verified client certificate is in `requestContext.authentication.clientCert`.
 * One builder for the local runner's gateway and the rehearsal of the synthesized bundles.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface HttpApiRequest {
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
  readonly body: Buffer;
  /** `requestContext.apiId` (and the domain prefix). */
  readonly apiId: string;
}

export function toHttpApiEvent(req: IncomingMessage, url: URL, request: HttpApiRequest): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'cookie' || v === undefined) continue;
    headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const cookies = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const contentType = (headers['content-type'] ?? '').toLowerCase();
  const { body, pathParameters, routeKey } = request;
  const isText = body.length === 0 || /json|text|xml|x-www-form-urlencoded|javascript/.test(contentType);
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: request.apiId,
      domainName: headers.host ?? 'localhost',
      domainPrefix: request.apiId,
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      ...clientCertificateOf(req),
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

const evenHex = (hex: string) => (hex.length % 2 ? `0${hex}` : hex).toLowerCase();
/** Lines of Node's `subject` (`O=Example\nCN=svc`) → RFC 4514, most specific first (`CN=svc,O=Example`). */
const distinguishedName = (lines: string) => lines.split('\n').reverse().join(',');

/**
 * API Gateway's `authentication.clientCert` of a connection whose client certificate the TLS layer verified:
 * `clientCertPem`, `subjectDN`, `issuerDN`, `serialNumber` (colon-separated lowercase hex) and `validity` in
 * OpenSSL's date form (`May 28 12:30:02 2019 GMT`). Nothing over plain HTTP or without a verified certificate.
 */
function clientCertificateOf(req: IncomingMessage): Pick<APIGatewayProxyEventV2['requestContext'], 'authentication'> {
  const socket = req.socket as Partial<TLSSocket>;
  const cert = socket.authorized === true ? socket.getPeerX509Certificate?.() : undefined;
  if (!cert) return {};
  return {
    authentication: {
      clientCert: {
        clientCertPem: cert.toString(),
        subjectDN: distinguishedName(cert.subject),
        issuerDN: distinguishedName(cert.issuer),
        serialNumber: (evenHex(cert.serialNumber).match(/../g) ?? []).join(':'),
        validity: { notBefore: cert.validFrom, notAfter: cert.validTo },
      },
    },
  };
}

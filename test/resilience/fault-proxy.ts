/**
 * A loopback proxy in front of one AWS stand-in (the DynamoDB guard before DynamoDB Local, the Secrets Manager
 * stand-in, the SES v2 stand-in) that injects the failures S83 is about, at a chosen rate:
 *
 * - `throttle`: the service's own throttling answer, as the SDK parses it — DynamoDB (JSON 1.0)
 *   `ProvisionedThroughputExceededException`, `ThrottlingException` and `RequestLimitExceeded` in turn, Secrets
 *   Manager (JSON 1.1) `ThrottlingException`, SES v2 (REST JSON) `429 TooManyRequestsException`; a `__type` body
 *   and the `x-amzn-ErrorType` header;
 * - `server-error`: `500`/`503` with the service's internal-error type;
 * - `latency`: the request is forwarded after `latencyMs` (past the client's request timeout, a hang);
 * - `drop-before`: the connection is closed without forwarding (the call never reached the service);
 * - `drop-after`: the request is forwarded and answered, then the connection is closed before the answer goes back
 *   (the write happened; the caller does not know).
 *
 * The SDK clients reach it through the same endpoint variables as the stand-ins (`AWS_ENDPOINT_URL_*`).
 */
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultKind = 'throttle' | 'server-error' | 'latency' | 'drop-before' | 'drop-after';
export type AwsProtocol = 'dynamodb' | 'secrets-manager' | 'ses';

export interface Fault {
  /** One kind, or several: each faulted call gets one of them at random. */
  kind: FaultKind | FaultKind[];
  /** Share of the calls that get the fault, 0–1. */
  rate: number;
  /** `latency` only. @default 2500 */
  latencyMs?: number;
  /** Only calls whose operation (`TransactWriteItems`, `GetSecretValue`, `SendEmail`) passes. @default every call */
  only?: (operation: string) => boolean;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Sets (or, with `undefined`, clears) the fault for the calls that arrive from now on. */
  inject(fault: Fault | undefined): void;
  /** Calls seen and faults injected since the last `reset`, by kind. */
  readonly stats: { calls: number; injected: Record<FaultKind, number> };
  reset(): void;
  close(): Promise<void>;
}

const DYNAMO_THROTTLES = ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'];

function operationOf(protocol: AwsProtocol, req: IncomingMessage): string {
  if (protocol === 'ses') return req.url?.startsWith('/v2/email/outbound-emails') ? 'SendEmail' : String(req.url);
  return (
    String(req.headers['x-amz-target'] ?? '')
      .split('.')
      .pop() ?? ''
  );
}

/** The error answer a service gives, in its own protocol: what the SDK's deserializer reads the type from. */
function errorAnswer(protocol: AwsProtocol, kind: 'throttle' | 'server-error', n: number) {
  if (protocol === 'ses') {
    return kind === 'throttle'
      ? { status: 429, type: 'TooManyRequestsException', body: { message: 'Too Many Requests' } }
      : {
          status: n % 2 ? 503 : 500,
          type: n % 2 ? 'ServiceUnavailable' : 'InternalFailure',
          body: { message: 'oops' },
        };
  }
  if (protocol === 'secrets-manager') {
    const type = kind === 'throttle' ? 'ThrottlingException' : 'InternalServiceError';
    return { status: kind === 'throttle' ? 400 : 500, type, body: { __type: type, message: 'Rate exceeded' } };
  }
  const type = kind === 'throttle' ? DYNAMO_THROTTLES[n % DYNAMO_THROTTLES.length] : 'InternalServerError';
  return {
    status: kind === 'throttle' ? 400 : n % 2 ? 503 : 500,
    type,
    body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'Injected by the fault proxy' },
  };
}

const CONTENT_TYPE: Record<AwsProtocol, string> = {
  dynamodb: 'application/x-amz-json-1.0',
  'secrets-manager': 'application/x-amz-json-1.1',
  ses: 'application/json',
};

export async function startFaultProxy(options: {
  target: string;
  protocol: AwsProtocol;
  /** @default Math.random */
  random?: () => number;
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = options.random ?? Math.random;
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let fault: Fault | undefined;
  const stats = { calls: 0, injected: emptyCounts() };

  const forward = (req: IncomingMessage, body: Buffer, onAnswer: (status: number, headers: any, b: Buffer) => void) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => onAnswer(up.statusCode ?? 502, up.headers, Buffer.concat(chunks)));
        up.on('error', () => req.socket.destroy());
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  };

  const answer = (res: ServerResponse, status: number, headers: any, body: Buffer) => {
    if (res.destroyed) return;
    res.writeHead(status, headers);
    res.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      stats.calls += 1;
      const f = fault;
      const hit = f !== undefined && (f.only?.(operationOf(options.protocol, req)) ?? true) && random() < f.rate;
      if (!hit) return forward(req, body, (s, h, b) => answer(res, s, h, b));
      const kind = Array.isArray(f.kind) ? f.kind[Math.floor(random() * f.kind.length)] : f.kind;
      const n = (stats.injected[kind] += 1);
      switch (kind) {
        case 'throttle':
        case 'server-error': {
          const e = errorAnswer(options.protocol, kind, n);
          return answer(
            res,
            e.status,
            {
              'content-type': CONTENT_TYPE[options.protocol],
              'x-amzn-errortype': `${e.type}:`,
              'x-amzn-requestid': `fault-${n}`,
            },
            Buffer.from(JSON.stringify(e.body)),
          );
        }
        case 'latency': {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!res.destroyed) forward(req, body, (s, h, b) => answer(res, s, h, b));
          }, f.latencyMs ?? 2500);
          timers.add(timer);
          return;
        }
        case 'drop-before':
          return req.socket.destroy();
        case 'drop-after':
          return forward(req, body, () => req.socket.destroy());
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inject(f) {
      fault = f;
    },
    stats,
    reset() {
      stats.calls = 0;
      stats.injected = emptyCounts();
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
      agent.destroy();
    },
  };
}

function emptyCounts(): Record<FaultKind, number> {
  return { throttle: 0, 'server-error': 0, latency: 0, 'drop-before': 0, 'drop-after': 0 };
}

/**
 * A small HTTP server that behaves like API Gateway HTTP API (payload 2.0) in front of the same handlers
 * the CDK stack deploys, routed from the same route table (shared/routing/routes.ts). It reproduces the parts of
 * API Gateway that clients and tests observe:
 * - route matching (`404 {"message":"Not Found"}` for unknown routes),
 * - the Lambda REQUEST authorizer with simple responses: no Authorization header → 401 without calling it;
 *   it throws "Unauthorized" → 401; `isAuthorized: false` → 403; its context reaches the handler in
 *   `requestContext.authorizer.lambda`; results cached per (Authorization, route key) for the cache TTL,
 * - CORS handled at the gateway from an allowlist (preflight answered here, never `*` with credentials),
 * - `500 {"message":"Internal Server Error"}` when a handler throws.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routeKey, type RouteDefinition } from '../../shared/routing/routes.js';
import { toHttpApiEvent } from './http-api-event.js';

/** Invokes a function with an event; the function's host builds its Lambda context (infra/local/isolated-function.ts). */
// Each handler takes its own event type; the gateway builds the right one per route.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LambdaHandler = (event: any) => Promise<unknown>;

export interface GatewayOptions {
  routes: readonly RouteDefinition[];
  /** Handler per function name. */
  handlers: Record<string, LambdaHandler>;
  authorizer: LambdaHandler;
  corsOrigins: string[];
  authorizerCacheSeconds: number;
  /** Extra local-only routes (e.g. the dev outbox), answered before the route table. */
  extraRoutes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>;
  /** API Gateway's payload limit is 10 MB; bodies above this are refused with 413 before any handler runs. */
  maxPayloadBytes?: number;
}

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

const compile = (route: RouteDefinition): CompiledRoute => {
  const params: string[] = [];
  const source = route.path.replace(/[.*?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const greedy = name.endsWith('+');
    params.push(greedy ? name.slice(0, -1) : name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
};

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

export function createGateway(options: GatewayOptions): Server {
  const handle = gatewayHandler(options);
  return createServer((req, res) => void handle(req, res));
}

/**
 * The gateway's request handling without a server: the plain listener and the mutual-TLS one (mtls-listener.ts)
 * share it, and with it one authorizer cache, as the default endpoint and a custom domain share one API.
 */
export function gatewayHandler(
  options: GatewayOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> {
  const compiled = options.routes.map(compile);
  const authCache = new Map<string, { until: number; result: { context?: Record<string, unknown> } }>();
  const maxPayload = options.maxPayloadBytes ?? 10 * 1024 * 1024;

  const corsHeaders = (origin: string | undefined): Record<string, string> =>
    origin && options.corsOrigins.includes(origin)
      ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' }
      : {};

  // Every failure is answered inside `handle`, so its promise never rejects.
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const method = (req.method ?? 'GET').toUpperCase();
      const origin = req.headers.origin;

      const extra = options.extraRoutes?.[`${method} ${url.pathname}`];
      if (extra) return await extra(req, res);

      if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
        const allowed = corsHeaders(origin);
        res.writeHead(204, {
          ...allowed,
          ...(allowed['access-control-allow-origin']
            ? {
                'access-control-allow-methods': 'GET,POST,PUT,DELETE',
                'access-control-allow-headers': 'authorization,content-type,x-token-delivery',
                'access-control-max-age': '600',
              }
            : {}),
        });
        return res.end();
      }

      const match = compiled
        .map((c) => ({ c, m: c.route.method === method ? c.pattern.exec(url.pathname) : null }))
        .find((x) => x.m);
      if (!match?.m) return send(res, 404, { message: 'Not Found' }, corsHeaders(origin));
      const { route, params } = match.c;
      const pathParameters = Object.fromEntries(params.map((p, i) => [p, decodeURIComponent(match.m![i + 1])]));

      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > maxPayload) return send(res, 413, { message: 'Request Entity Too Large' });
        chunks.push(chunk as Buffer);
      }
      const bodyBuffer = Buffer.concat(chunks);
      const event = toHttpApiEvent(req, url, {
        routeKey: routeKey(route),
        pathParameters,
        body: bodyBuffer,
        apiId: 'local',
      });

      if (route.auth) {
        const authorization = event.headers.authorization;
        if (!authorization) return send(res, 401, { message: 'Unauthorized' }, corsHeaders(origin));
        const cacheKey = `${authorization}\n${event.routeKey}`;
        let cached = authCache.get(cacheKey);
        if (!cached || cached.until < Date.now()) {
          let result: { isAuthorized?: boolean; context?: Record<string, unknown> };
          try {
            result = (await options.authorizer({
              ...event,
              type: 'REQUEST',
              routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${method}${url.pathname}`,
              identitySource: [authorization, event.routeKey],
            })) as typeof result;
          } catch (e) {
            if (e instanceof Error && e.message === 'Unauthorized') {
              return send(res, 401, { message: 'Unauthorized' }, corsHeaders(origin));
            }
            return send(res, 500, { message: 'Internal Server Error' }, corsHeaders(origin));
          }
          if (result?.isAuthorized !== true) return send(res, 403, { message: 'Forbidden' }, corsHeaders(origin));
          cached = { until: Date.now() + options.authorizerCacheSeconds * 1000, result: { context: result.context } };
          if (options.authorizerCacheSeconds > 0) authCache.set(cacheKey, cached);
        }
        (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: cached.result.context ?? {} };
      }

      const handler = options.handlers[route.fn];
      if (!handler) return send(res, 500, { message: 'Internal Server Error' });
      let result: unknown;
      try {
        result = await handler(event);
      } catch {
        return send(res, 500, { message: 'Internal Server Error' }, corsHeaders(origin));
      }
      writeResult(res, result, corsHeaders(origin));
    } catch {
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.end();
    }
  };
  return handle;
}

function writeResult(res: ServerResponse, result: unknown, cors: Record<string, string>) {
  // Like API Gateway: a result without statusCode is a 200 JSON body.
  const r: APIGatewayProxyStructuredResultV2 =
    result && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : {
          statusCode: 200,
          body: typeof result === 'string' ? result : JSON.stringify(result),
          headers: { 'content-type': 'application/json' },
        };
  const headers: Record<string, string | string[]> = {};
  // API Gateway drops a header without a value; it never sends the string "undefined" (S58).
  for (const [k, v] of Object.entries(r.headers ?? {}))
    if (v !== undefined && v !== null && String(v) !== '') headers[k.toLowerCase()] = String(v);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  Object.assign(headers, cors);
  res.writeHead(r.statusCode ?? 200, headers);
  res.end(r.body === undefined ? undefined : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
}

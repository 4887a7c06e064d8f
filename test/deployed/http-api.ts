/**
 * API Gateway HTTP API as the template configures it, on 127.0.0.1: the `AWS::ApiGatewayV2::Route` resources
 * (route keys, integrations → functions, `CUSTOM` routes → the REQUEST authorizer with simple responses and its
 * result cache), payload 2.0 events, the API's `CorsConfiguration`, and API Gateway's own answers:
 * `404 {"message":"Not Found"}`, `401 {"message":"Unauthorized"}` (no identity source, or the authorizer throws
 * `Unauthorized`), `403 {"message":"Forbidden"}` (`isAuthorized: false`), `500 {"message":"Internal Server Error"}`
 * (the function failed, timed out or crashed), `413` above the 10 MB payload limit.
 *
 * The rehearsal's own minimal gateway (infra/local/gateway.ts routes from `ROUTES` for the local runner; this one
 * must route from the template, which is what is deployed).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toHttpApiEvent } from '../../infra/local/http-api-event.js';
import type { CorsConfiguration, RouteDefinitionFromTemplate } from './assembly.js';
import type { InvokeOutcome } from './lambda-process.js';

const MAX_PAYLOAD = 10 * 1024 * 1024;

export interface HttpApiOptions {
  routes: readonly RouteDefinitionFromTemplate[];
  cors?: CorsConfiguration;
  invoke: (functionLogicalId: string, event: unknown, what: string) => Promise<InvokeOutcome>;
}

export interface HttpApi {
  /** `http://127.0.0.1:<port>`: what `Fn::GetAtt [Api, ApiEndpoint]` resolves to. */
  readonly endpoint: string;
  /** Routes are known only once the template is resolved against the endpoint. */
  configure(options: HttpApiOptions): void;
  /** Every 5xx the gateway answered: route key, status and why. */
  readonly serverErrors: { routeKey: string; status: number; reason: string }[];
  /** The route keys that reached their function, with the statuses they answered. */
  readonly hits: Map<string, Set<number>>;
  close(): Promise<void>;
}

interface Compiled {
  route: RouteDefinitionFromTemplate;
  method: string;
  pattern: RegExp;
  params: string[];
  specificity: number;
}

function compile(route: RouteDefinitionFromTemplate): Compiled {
  const [method, path] = route.routeKey.split(' ') as [string, string];
  const params: string[] = [];
  const source = path.replace(/[.*?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const greedy = name.endsWith('+');
    params.push(greedy ? name.slice(0, -1) : name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  // API Gateway prefers the most specific match: literal segments before path variables.
  return {
    route,
    method,
    pattern: new RegExp(`^${source}$`),
    params,
    specificity: path.split('/').filter((s) => !s.startsWith('{')).length,
  };
}

export async function startHttpApi(): Promise<HttpApi> {
  let compiled: Compiled[] = [];
  let options: HttpApiOptions | undefined;
  const serverErrors: HttpApi['serverErrors'] = [];
  const hits: HttpApi['hits'] = new Map();
  const authCache = new Map<string, { until: number; context: unknown }>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]>) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const corsHeaders = (origin: string | undefined): Record<string, string> => {
    const cors = options?.cors;
    if (!cors || !origin || !(cors.AllowOrigins ?? []).includes(origin)) return {};
    return {
      'access-control-allow-origin': origin,
      ...(cors.AllowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
      ...(cors.ExposeHeaders?.length ? { 'access-control-expose-headers': cors.ExposeHeaders.join(',') } : {}),
      vary: 'origin',
    };
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      serverErrors.push({ routeKey: `${req.method} ${req.url}`, status: 500, reason: `gateway: ${String(e)}` });
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' }, {});
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://rehearsal');
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;
    const cors = corsHeaders(origin);

    // CORS preflight, answered by API Gateway itself when the API has a CorsConfiguration.
    if (method === 'OPTIONS' && options?.cors && req.headers['access-control-request-method']) {
      res.writeHead(204, {
        ...cors,
        ...(cors['access-control-allow-origin']
          ? {
              'access-control-allow-methods': (options.cors.AllowMethods ?? []).join(','),
              'access-control-allow-headers': (options.cors.AllowHeaders ?? []).join(','),
              ...(options.cors.MaxAge !== undefined ? { 'access-control-max-age': String(options.cors.MaxAge) } : {}),
            }
          : {}),
      });
      return void res.end();
    }

    const match = compiled
      .filter((c) => c.method === method || c.method === 'ANY')
      .map((c) => ({ c, m: c.pattern.exec(url.pathname) }))
      .filter((x) => x.m)
      .sort((a, b) => b.c.specificity - a.c.specificity)[0];
    if (!match) return send(res, 404, { message: 'Not Found' }, cors);
    const { route, params } = match.c;

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_PAYLOAD) return send(res, 413, { message: 'Request Entity Too Large' }, cors);
      chunks.push(chunk as Buffer);
    }
    const pathParameters = Object.fromEntries(params.map((p, i) => [p, decodeURIComponent(match.m![i + 1])]));
    const event = toHttpApiEvent(req, url, {
      routeKey: route.routeKey,
      pathParameters,
      body: Buffer.concat(chunks),
      apiId: 'rehearsal',
    });

    if (route.authorizer) {
      const a = route.authorizer;
      const identity = a.identitySource.map((source) => identityValue(source, event));
      // API Gateway answers 401 without invoking the authorizer when an identity source is missing.
      if (identity.some((v) => v === undefined || v === '')) return send(res, 401, { message: 'Unauthorized' }, cors);
      const cacheKey = JSON.stringify([a.functionLogicalId, identity]);
      let cached = authCache.get(cacheKey);
      if (!cached || cached.until <= Date.now()) {
        const outcome = await options!.invoke(
          a.functionLogicalId,
          {
            ...event,
            type: 'REQUEST',
            routeArn: `arn:aws:execute-api:us-east-1:000000000000:rehearsal/$default/${method}${url.pathname}`,
            identitySource: identity,
          },
          `authorizer for ${route.routeKey}`,
        );
        if (!outcome.ok) {
          if (outcome.kind === 'handler' && outcome.message === 'Unauthorized')
            return send(res, 401, { message: 'Unauthorized' }, cors);
          serverErrors.push({
            routeKey: route.routeKey,
            status: 500,
            reason: `authorizer ${outcome.kind}: ${outcome.name}: ${outcome.message}`,
          });
          return send(res, 500, { message: 'Internal Server Error' }, cors);
        }
        const result = outcome.result as { isAuthorized?: unknown; context?: unknown } | null;
        if (!a.simpleResponses) throw new Error('only simple authorizer responses are modelled');
        if (result?.isAuthorized !== true) return send(res, 403, { message: 'Forbidden' }, cors);
        cached = { until: Date.now() + a.ttlSeconds * 1000, context: result.context ?? {} };
        if (a.ttlSeconds > 0) authCache.set(cacheKey, cached);
      }
      (event.requestContext as unknown as Record<string, unknown>).authorizer = { lambda: cached.context };
    }

    const outcome = await options!.invoke(route.functionLogicalId, event, route.routeKey);
    if (!outcome.ok) {
      serverErrors.push({
        routeKey: route.routeKey,
        status: 500,
        reason: `${outcome.kind}: ${outcome.name}: ${outcome.message}`,
      });
      return send(res, 500, { message: 'Internal Server Error' }, cors);
    }
    const r = outcome.result;
    const structured =
      r && typeof r === 'object' && 'statusCode' in r
        ? (r as {
            statusCode: number;
            headers?: Record<string, unknown>;
            cookies?: string[];
            body?: string;
            isBase64Encoded?: boolean;
          })
        : // Payload 2.0: a result without statusCode is a 200 JSON body.
          {
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            body: typeof r === 'string' ? r : JSON.stringify(r),
          };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(structured.headers ?? {})) headers[k.toLowerCase()] = String(v);
    if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
    Object.assign(headers, cors);
    // 503 is a designed answer (a dependency is unavailable, with a stable code); any other 5xx is a failure.
    if (structured.statusCode >= 500 && structured.statusCode !== 503)
      serverErrors.push({
        routeKey: route.routeKey,
        status: structured.statusCode,
        reason: String(structured.body).slice(0, 200),
      });
    hits.set(route.routeKey, (hits.get(route.routeKey) ?? new Set()).add(structured.statusCode));
    res.writeHead(structured.statusCode, headers);
    res.end(
      structured.body === undefined
        ? undefined
        : structured.isBase64Encoded
          ? Buffer.from(structured.body, 'base64')
          : structured.body,
    );
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serverErrors,
    hits,
    configure(o) {
      options = o;
      compiled = o.routes.map(compile);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

type Event = ReturnType<typeof toHttpApiEvent>;

/** `$request.header.X`, `$request.querystring.x`, `$context.routeKey` … as API Gateway reads identity sources. */
function identityValue(source: string, event: Event): string | undefined {
  const header = /^\$request\.header\.(.+)$/i.exec(source);
  if (header) return event.headers[header[1].toLowerCase()];
  const query = /^\$request\.querystring\.(.+)$/i.exec(source);
  if (query) return event.queryStringParameters?.[query[1]];
  if (source === '$context.routeKey') return event.requestContext.routeKey;
  throw new Error(`identity source ${source} is not modelled`);
}

/**
 * The OpenAPI 3.1 description, generated from the route table, the zod schemas the handlers validate with, and
 * the error table — never written by hand. `npm run openapi` writes it to openapi.json; the local runner serves
 * it at GET /openapi.json.
 */
import * as z from 'zod/mini';
import { ERROR_STATUS, type ErrorCode } from '../../shared/domain/errors.js';
import { ROUTES, routeKey } from '../../shared/routing/routes.js';
import { ROUTE_DOCS } from './route-docs.js';

const REFRESH_COOKIE = '__Secure-refresh_token';

const json = (schema: unknown) => ({ 'application/json': { schema } });

function errorResponses(codes: ErrorCode[], oauth = false) {
  const schema = oauth ? '#/components/schemas/OAuthError' : '#/components/schemas/Error';
  const byStatus = new Map<number, ErrorCode[]>();
  // Every route may find a dependency unavailable (S83): 503 service_unavailable, with Retry-After.
  const all = codes.includes('service_unavailable') ? codes : [...codes, 'service_unavailable' as const];
  for (const code of all) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: list.join(', '),
        ...(status === 503 || status === 429
          ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } }
          : {}),
        content: json({ allOf: [{ $ref: schema }, { properties: { error: { enum: list } } }] }),
      },
    ]),
  );
}

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const key = routeKey(route);
    const doc = ROUTE_DOCS[key];
    if (!doc) throw new Error(`openapi: no ROUTE_DOCS entry for ${key}`);
    const params = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const responses: Record<string, unknown> = {};
    const s = doc.success;
    if (s.kind === 'tokens') {
      responses[String(s.status)] = {
        description: s.description,
        headers: {
          'Set-Cookie': {
            description: `${REFRESH_COOKIE}=…; HttpOnly; Secure; SameSite=Strict; Path=/auth; Max-Age=…`,
            schema: { type: 'string' },
          },
          'Cache-Control': { schema: { type: 'string', const: 'no-store' } },
        },
        content: json({ $ref: '#/components/schemas/TokenResponse' }),
      };
    } else if (s.kind === 'empty') {
      responses[String(s.status)] = { description: s.description };
    } else {
      responses[String(s.status)] = { description: s.description, ...(s.schema ? { content: json(s.schema) } : {}) };
    }
    Object.assign(responses, errorResponses(doc.errors, doc.oauthErrors));
    if (route.auth) {
      responses['401'] = {
        description: 'API Gateway: missing, malformed, expired or badly signed access token',
        content: json({ $ref: '#/components/schemas/GatewayError' }),
      };
      responses['403'] = {
        description: 'API Gateway: a valid token without the role or scope this route requires',
        content: json({ $ref: '#/components/schemas/GatewayError' }),
      };
    }
    const security = route.auth ? [{ bearer: [] }] : doc.refreshCookie ? [{ refreshCookie: [] }, {}] : [];
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''),
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: doc.tags,
      ...(params.length ? { parameters: params } : {}),
      ...(doc.body ? { requestBody: { required: !doc.refreshCookie, content: json(schemaOf(doc.body)) } } : {}),
      ...(doc.form
        ? { requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: doc.form } } } }
        : {}),
      security,
      ...(route.auth?.roles ? { 'x-required-roles': route.auth.roles } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lambda-auth',
      version: '0.1.0',
      description: 'Serverless authentication backend for AWS. Errors are {error, message} with a stable code.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RFC 9068, typ at+jwt)' },
        refreshCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: REFRESH_COOKIE,
          description: 'The HttpOnly refresh cookie (its name is configurable: REFRESH_COOKIE_NAME)',
        },
      },
      schemas: {
        TokenResponse: {
          type: 'object',
          required: ['accessToken', 'tokenType', 'expiresIn'],
          properties: {
            accessToken: { type: 'string' },
            tokenType: { const: 'Bearer' },
            expiresIn: { type: 'integer', description: 'seconds' },
            refreshToken: { type: 'string', description: 'only with tokenDelivery "body" or X-Token-Delivery: body' },
            refreshExpiresIn: { type: 'integer' },
          },
        },
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: { error: { type: 'string', enum: Object.keys(ERROR_STATUS) }, message: { type: 'string' } },
        },
        OAuthError: {
          type: 'object',
          description: 'RFC 6749 §5.2: the token endpoint only',
          required: ['error', 'error_description'],
          properties: { error: { type: 'string' }, error_description: { type: 'string' } },
        },
        GatewayError: { type: 'object', properties: { message: { type: 'string' } } },
      },
    },
  };
}

function schemaOf(schema: z.ZodMiniType): unknown {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
}

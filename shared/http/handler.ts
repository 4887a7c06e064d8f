import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { AuthError } from '../domain/errors.js';
import { DEPENDENCY_RETRY_AFTER_SECONDS, isDependencyFailure } from './dependency-failure.js';
import { logger } from '../observability/log.js';

export interface HttpOptions<S extends z.core.$ZodType | undefined> {
  /** Methods this function answers; anything else is `405` with `Allow`. */
  methods: string[];
  /** zod schema of the JSON body; omit for routes without a body. */
  body?: S;
  /** Body size limit in bytes, checked before parsing (S46). */
  maxBodyBytes: number;
  /** Cookie-authenticated route: refuse cross-origin requests (S41). */
  cookieAuth?: { allowedOrigins: string[] };
  /**
   * Directives merged over the default CSP of HTML responses (an `undefined` value removes a directive), for
   * routes that serve a page with its own hashed inline script (the email landing pages).
   */
  contentSecurityPolicy?: Record<string, string | undefined>;
  /**
   * The OAuth 2.0 token endpoint: the body is `application/x-www-form-urlencoded` (given to the handler as
   * `form`, each parameter at most once, RFC 6749 §3.2) and errors are RFC 6749 §5.2 `{error, error_description}`.
   */
  oauthForm?: boolean;
}

export interface HttpRequest<B> {
  event: APIGatewayProxyEventV2;
  body: B;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** API Gateway's view of the client IP (never X-Forwarded-For, S4). */
  sourceIp: string;
  requestId: string;
  /** The form parameters (only with `oauthForm`). */
  form: Record<string, string>;
}

export interface HttpResponse {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: string[];
  /** Raw HTML body (sent as text/html). */
  html?: string;
  /** `no-store` unless the route says otherwise (S28: every token response is no-store). */
  cacheControl?: string;
}

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The one middleware chain every HTTP handler uses (onion order):
 * security headers → error mapping → header normalisation → method check → size limit → JSON parse →
 * origin check → zod validation → handler. Errors become `{error, message}`; a dependency that is unavailable
 * (throttled, failing, timed out, unreachable) becomes `503 service_unavailable` with `Retry-After` (S83), as does
 * every other 503; anything else unexpected becomes a generic 500 that carries only a correlation id.
 * @example export const handler = httpHandler({ methods: ['POST'], body: schema, maxBodyBytes }, async (req) => …);
 */
export function httpHandler<S extends z.core.$ZodType | undefined = undefined>(
  options: HttpOptions<S>,
  fn: (req: HttpRequest<S extends z.core.$ZodType ? z.output<S> : undefined>) => Promise<HttpResponse>,
) {
  return middy<Event, Result, Error, Context>()
    .use(httpSecurityHeaders(securityHeaderOptions(options.contentSecurityPolicy)))
    .use(errorMapper(options.oauthForm === true))
    .use(httpHeaderNormalizer())
    .handler(async (event) => {
      const requestId = event.requestContext?.requestId ?? 'local';
      logger.appendKeys({ correlationId: requestId });
      const method = event.requestContext?.http?.method ?? 'GET';
      if (!options.methods.includes(method)) {
        throw new AuthError('method_not_allowed', `Use ${options.methods.join(' or ')} for this route.`, {
          headers: { Allow: options.methods.join(', ') },
        });
      }
      const headers = (event.headers ?? {}) as Record<string, string | undefined>;
      if (options.cookieAuth) checkOrigin(headers.origin, options.cookieAuth.allowedOrigins);
      const raw = options.oauthForm
        ? undefined
        : readBody(event, options.maxBodyBytes, headers['content-type'], 'application/json');
      const form = options.oauthForm
        ? readForm(readBody(event, options.maxBodyBytes, headers['content-type'], FORM_TYPE))
        : {};
      const body = options.body ? validate(options.body, raw ?? {}) : undefined;
      const response = await fn({
        event,
        body: body as S extends z.core.$ZodType ? z.output<S> : undefined,
        headers,
        sourceIp: event.requestContext?.http?.sourceIp ?? 'unknown',
        requestId,
        form,
      });
      return toResult(response);
    });
}

/**
 * middy's security headers, minus the ones that would go out wrong (S58):
 * - `xssProtection`: its value is `1; mode=block`, which switches on the XSS auditor of old browsers, itself a
 *   cross-site leak (OWASP: send `0` or nothing). HTML responses send `0` (toResult).
 * - `poweredBy`: it "hides" `Server` and `X-Powered-By` by writing `undefined` into the result, which a gateway may
 *   send verbatim (the local runner did). We never set them, so there is nothing to hide.
 * - `reportingEndpoints`, `reportTo` and the CSP's `report-to`: no reporting endpoint is configured, so the headers
 *   would go out empty and the directive would name a group that does not exist.
 */
function securityHeaderOptions(
  csp: Record<string, string | undefined> | undefined,
): Parameters<typeof httpSecurityHeaders>[0] {
  const options = {
    strictTransportSecurity: { maxAge: 2 * 365 * 24 * 3600, includeSubDomains: true, preload: false },
    xssProtection: false,
    poweredBy: false,
    reportingEndpoints: false, // not in middy's typings, honoured by its code
    reportTo: false,
    // Merged over middy's defaults; an `undefined` value removes a directive.
    contentSecurityPolicy: { 'report-to': undefined, ...csp } as unknown as Record<string, string>,
  };
  return options;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

function readBody(
  event: Event,
  maxBytes: number,
  contentType: string | undefined,
  expected: 'application/json' | typeof FORM_TYPE,
): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  // Size first, before decoding or parsing anything (S46).
  const approxBytes = event.isBase64Encoded ? Math.floor((event.body.length * 3) / 4) : Buffer.byteLength(event.body);
  if (approxBytes > maxBytes)
    throw new AuthError('payload_too_large', `The request body must be at most ${maxBytes} bytes.`);
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  // Only JSON: text/plain and form bodies are what a cross-site form could send without a preflight (S41).
  // The token endpoint alone takes a form (RFC 6749 §4.4.2); it uses no cookie, so a cross-site form gains nothing.
  if (type !== expected) {
    throw new AuthError('unsupported_media_type', `Send the request body as ${expected}.`);
  }
  if (expected === FORM_TYPE) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AuthError('invalid_json', 'The request body is not valid JSON.');
  }
}

/** Form parameters, each at most once (RFC 6749 §3.2: a repeated parameter is `invalid_request`). */
function readForm(text: unknown): Record<string, string> {
  const form: Record<string, string> = {};
  if (typeof text !== 'string') return form;
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(form, name)) throw new AuthError('invalid_request', `${name}: given more than once`);
    form[name] = value;
  }
  return form;
}

function validate<S extends z.core.$ZodType>(schema: S, input: unknown): z.output<S> {
  // Functional form: accepts schemas built with `zod` or `zod/mini` alike.
  const parsed = z.safeParse(schema, input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : 'body';
  throw new AuthError('invalid_request', `${field}: ${issue?.message ?? 'is invalid'}`);
}

function checkOrigin(origin: string | undefined, allowed: string[]): void {
  // Browsers send Origin on every cross-origin POST; native clients send none. A present, foreign Origin is refused.
  if (origin !== undefined && !allowed.includes(origin)) {
    throw new AuthError('forbidden_origin', 'This origin may not use the session cookie.');
  }
}

function toResult(r: HttpResponse): Result {
  const headers: Record<string, string> = { 'Cache-Control': r.cacheControl ?? 'no-store', ...r.headers };
  if (r.html !== undefined) {
    // `0`, not `1; mode=block`: the auditor is gone from current browsers and was an XS-Leak where it remained (S58).
    const html = { 'Content-Type': 'text/html; charset=utf-8', 'X-XSS-Protection': '0', ...headers };
    return { statusCode: r.statusCode, headers: html, body: r.html, cookies: r.cookies };
  }
  if (r.body === undefined) return { statusCode: r.statusCode, headers, cookies: r.cookies };
  return {
    statusCode: r.statusCode,
    headers: { 'Content-Type': JSON_TYPE, ...headers },
    body: JSON.stringify(r.body),
    cookies: r.cookies,
  };
}

/** RFC 6749 §5.2 codes; every other client error of the token endpoint is an `invalid_request`. */
const OAUTH_CODES = new Set(['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type']);

/** The token endpoint's error body (RFC 6749 §5.2), the one place errors are not `{error, message}`. */
function oauthError(error: unknown, requestId: string): Result {
  if (error instanceof AuthError && error.expose) {
    const code = OAUTH_CODES.has(error.code) || error.status === 429 ? error.code : 'invalid_request';
    // A malformed request is 400 whatever the generic chain would say (415, 413); 401, 405 and 429 keep theirs.
    const status = [401, 405, 429].includes(error.status) ? error.status : 400;
    return toResult({
      statusCode: status,
      headers: error.headers,
      body: { error: code, error_description: error.message },
    });
  }
  const unavailable = error instanceof AuthError && error.status === 503;
  if (!unavailable) logger.error('unhandled error', { correlationId: requestId, cause: describe(error) });
  return toResult({
    statusCode: unavailable ? 503 : 500,
    body: {
      error: unavailable ? 'temporarily_unavailable' : 'server_error',
      error_description: `Something went wrong on our side (reference ${requestId}).`,
    },
  });
}

function errorMapper(oauth: boolean): middy.MiddlewareObj<Event, Result> {
  return {
    onError: (request) => {
      const error = request.error;
      if (oauth) {
        request.response = oauthError(error, request.event.requestContext?.requestId ?? 'local');
        return;
      }
      if (error instanceof AuthError && error.expose) {
        request.response = toResult({
          statusCode: error.status,
          headers: error.headers,
          ...(error.cookies.length ? { cookies: error.cookies } : {}),
          body: { ...error.details, error: error.code, message: error.message },
        });
        return;
      }
      const requestId = request.event.requestContext?.requestId ?? 'local';
      if (error instanceof AuthError) {
        logger.warn('request failed', { code: error.code, correlationId: requestId, cause: describe(error.cause) });
        request.response = toResult({
          statusCode: error.status,
          headers: error.status === 503 ? withRetryAfter(error.headers) : error.headers,
          body: { error: error.code, message: `${error.message} (reference ${requestId})` },
        });
        return;
      }
      if (isDependencyFailure(error)) {
        // S83: the client may try again; nothing was half-written (one transaction or one conditional write each).
        logger.warn('dependency unavailable', { correlationId: requestId, cause: describe(error) });
        request.response = toResult({
          statusCode: 503,
          headers: withRetryAfter({}),
          body: {
            error: 'service_unavailable',
            message: `The service is briefly unavailable; try again shortly (reference ${requestId}).`,
          },
        });
        return;
      }
      // Unexpected: log the error class and message for operators, send nothing internal to the client.
      logger.error('unhandled error', { correlationId: requestId, cause: describe(error) });
      request.response = toResult({
        statusCode: 500,
        body: { error: 'internal_error', message: `Something went wrong on our side (reference ${requestId}).` },
      });
    },
  };
}

/** Every 503 says when to come back: the route's own value, or the SDK's backoff and a little more. */
function withRetryAfter(headers: Record<string, string>): Record<string, string> {
  if (Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after')) return headers;
  return { ...headers, 'Retry-After': String(DEPENDENCY_RETRY_AFTER_SECONDS) };
}

/** Error name + message + stack top, for logs only. SDK errors never carry request data. */
function describe(e: unknown): Record<string, string> | undefined {
  if (!(e instanceof Error)) return e === undefined ? undefined : { value: typeof e };
  return { name: e.name, message: e.message.slice(0, 300) };
}

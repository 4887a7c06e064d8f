/**
 * The requests a cold-start sample sends (test/bench/cold-start.ts): per DynamoDB-backed function, one
 * representative request as API Gateway would deliver it (HTTP API payload 2.0, the authorizer's context on
 * protected routes), built for invocation `i` so that the warm invocations repeat the first one's work rather than
 * meeting what it left behind (a new address for each sign-up, a new source IP for each request so that no limiter
 * answers 429). Requests that need no prior state: a sign-up, a login or a refresh of unknown credentials, an admin
 * read of an unknown user. The bench prints each one's status and AWS calls, so an unrepresentative one shows.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROUTES, routeKey } from '../../shared/routing/routes.js';
import type { AuthFunctionName } from '../../infra/function-specs.js';

interface ColdRequest {
  /** `METHOD /path` of `ROUTES` (default: the function's first route). */
  readonly route?: string;
  readonly body?: unknown;
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
}

const PASSWORD = 'correct horse battery staple';
const unique = () => randomUUID().replaceAll('-', '');
const email = () => `cold-${unique()}@example.com`;
/** An opaque token of the backend's shape (`<prefix>_` + 43 base64url characters) that no table holds. */
const token = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

/** What each function is asked; absent: its first route with no body. */
const REQUESTS: Partial<Record<AuthFunctionName, () => ColdRequest>> = {
  signup: () => ({ body: { email: email(), password: PASSWORD, tokenDelivery: 'body' } }),
  login: () => ({ body: { email: email(), password: PASSWORD } }),
  refresh: () => ({ body: { refreshToken: token('rt') } }),
  logout: () => ({ route: 'POST /auth/logout', body: { refreshToken: token('rt') } }),
  'admin-set-roles': () => ({ body: { roles: ['user'] } }),
  'magic-link': () => ({ body: { email: email() } }),
  'magic-link-verify': () => ({ route: 'POST /auth/magic-link/verify', body: { token: token('ml') } }),
  'verify-email': () => ({ route: 'POST /auth/verify-email', body: { token: token('ve') } }),
  'password-reset': () => ({ body: { email: email() } }),
  'password-reset-confirm': () => ({
    route: 'POST /auth/password-reset/confirm',
    body: { token: token('pr'), newPassword: PASSWORD },
  }),
  'mfa-totp-confirm': () => ({ body: { factorId: randomUUID(), code: '123456' } }),
  'mfa-verify': () => ({ body: { mfaToken: token('mfa'), method: 'totp', code: '123456' } }),
  'mfa-webauthn-options': () => ({ body: { mfaToken: token('mfa') } }),
  'passkey-register-verify': () => ({ body: { response: {} } }),
  'passkey-authenticate-options': () => ({ body: {} }),
  'admin-create-client': () => ({ body: { name: `cold-${unique()}`, scopes: [] } }),
  'oauth-token': () => ({
    form: { grant_type: 'client_credentials' },
    headers: { authorization: `Basic ${Buffer.from(`${unique()}:${token('cs')}`).toString('base64')}` },
  }),
  'api-key-create': () => ({ body: { name: 'cold' } }),
};

const randomIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;

/** The event of one invocation of `name`: a fresh address, token, path id and source IP each time. */
export function coldEvent(name: AuthFunctionName): APIGatewayProxyEventV2 {
  const request = REQUESTS[name]?.() ?? {};
  const route =
    ROUTES.find((r) => (request.route ? routeKey(r) === request.route : r.fn === name)) ??
    (() => {
      throw new Error(`no route for ${name}`);
    })();
  const pathParameters: Record<string, string> = {};
  const rawPath = route.path.replace(/\{(\w+)\}/g, (_, p: string) => (pathParameters[p] = randomUUID()));
  const body = request.form
    ? new URLSearchParams(request.form).toString()
    : request.body === undefined
      ? undefined
      : JSON.stringify(request.body);
  const now = new Date();
  const sourceIp = randomIp();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath,
    rawQueryString: new URLSearchParams(request.query ?? {}).toString(),
    headers: {
      host: 'auth.example.test',
      'user-agent': 'cold-start-bench',
      ...(body === undefined
        ? {}
        : { 'content-type': request.form ? 'application/x-www-form-urlencoded' : 'application/json' }),
      ...request.headers,
    },
    ...(request.query ? { queryStringParameters: request.query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'cold',
      domainName: 'auth.example.test',
      domainPrefix: 'auth',
      http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp, userAgent: 'cold-start-bench' },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(route.auth
        ? {
            authorizer: {
              lambda: {
                sub: randomUUID(),
                email: email(),
                roles: 'user admin',
                scope: '',
                jti: randomUUID(),
                email_verified: 'true',
                amr: 'pwd mfa',
                auth_time: String(Math.floor(now.getTime() / 1000)),
              },
            },
          }
        : {}),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

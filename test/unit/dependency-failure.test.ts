/**
 * S83 at the HTTP chain: a dependency failure, whatever SDK error or Node network error carries it, answers
 * `503 service_unavailable` with `Retry-After`; a deployment bug (access denied, a missing resource) stays a `500`.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { InternalServiceError, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { SendingPausedException, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { AuthError } from '../../shared/domain/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { isDependencyFailure } from '../../shared/http/dependency-failure.js';
import { logger } from '../../shared/observability/log.js';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode }, message: 'm' });
const network = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const timeout = () => Object.assign(new Error('the request exceeded the requestTimeout'), { name: 'TimeoutError' });

const unavailable: [string, unknown][] = [
  ['DynamoDB ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException(meta(400))],
  ['DynamoDB ThrottlingException', new ThrottlingException(meta(400))],
  ['DynamoDB RequestLimitExceeded', new RequestLimitExceeded(meta(400))],
  ['DynamoDB InternalServerError', new InternalServerError(meta(500))],
  [
    'DynamoDB transaction cancelled by throttling',
    new TransactionCanceledException({
      ...meta(400),
      CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
    }),
  ],
  ['Secrets Manager InternalServiceError', new InternalServiceError(meta(500))],
  ['SES TooManyRequestsException', new TooManyRequestsException(meta(429))],
  ['an unmodelled 503 of any service', Object.assign(new Error('Service Unavailable'), meta(503))],
  ['a request timeout', timeout()],
  ['a dropped connection', network('ECONNRESET')],
  ['a refused connection', network('ECONNREFUSED')],
  ['an unresolvable endpoint', network('EAI_AGAIN')],
  ['a failure wrapped by our code', new Error('load failed', { cause: network('ETIMEDOUT') })],
];

const bugs: [string, unknown][] = [
  [
    'AccessDeniedException',
    Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client', ...meta(400) }),
  ],
  ['Secrets Manager ResourceNotFoundException', new ResourceNotFoundException(meta(400))],
  [
    'a transaction whose condition failed',
    new TransactionCanceledException({ ...meta(400), CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }),
  ],
  ['SES SendingPausedException (the account is paused: an operator must act)', new SendingPausedException(meta(400))],
  ['a TypeError', new TypeError('x is undefined')],
];

const event = {
  version: '2.0',
  rawPath: '/x',
  headers: {},
  requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/x', sourceIp: '192.0.2.1' } },
  isBase64Encoded: false,
} as never;

async function answerWhenThrowing(error: unknown) {
  const h = httpHandler({ methods: ['POST'], maxBodyBytes: 1024 }, async () => {
    throw error;
  });
  const r = (await h(event, {} as never)) as APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };
  return { status: r.statusCode, headers: r.headers, body: JSON.parse(String(r.body)) as Record<string, string> };
}

describe('S83: a dependency failure answers 503 with Retry-After and a stable code', () => {
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);

  it.each(unavailable)(
    'S83: %s → 503 service_unavailable + Retry-After, nothing internal in the body',
    async (_n, error) => {
      expect(isDependencyFailure(error)).toBe(true);
      const r = await answerWhenThrowing(error);
      expect(r.status).toBe(503);
      expect(r.headers['Retry-After']).toMatch(/^[1-9]\d*$/);
      expect(r.body.error).toBe('service_unavailable');
      expect(r.body.message).toContain('req-1');
      expect(JSON.stringify(r.body)).not.toMatch(/Exception|ECONN|ETIMEDOUT|stack/);
    },
  );

  it.each(bugs)('S83: %s is not an outage: 500 internal_error', async (_n, error) => {
    expect(isDependencyFailure(error)).toBe(false);
    const r = await answerWhenThrowing(error);
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('internal_error');
  });

  it('S83: a designed 503 (mail_unavailable) gets Retry-After too; a route that names its own keeps it', async () => {
    const mail = await answerWhenThrowing(new AuthError('mail_unavailable', 'Mail cannot be sent right now.'));
    expect(mail).toMatchObject({ status: 503, body: { error: 'mail_unavailable' } });
    expect(mail.headers['Retry-After']).toMatch(/^[1-9]\d*$/);
    const own = await answerWhenThrowing(
      new AuthError('service_unavailable', 'Keys are not ready.', { headers: { 'Retry-After': '30' } }),
    );
    expect(own.headers['Retry-After']).toBe('30');
  });
});

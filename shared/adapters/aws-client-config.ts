/**
 * The one home of the AWS SDK clients' timeouts and retry policy (S83). Every DynamoDB, Secrets Manager and SES
 * client of the backend is built with `awsClientConfig(service)`, so a hung or refused call ends well inside the
 * function's timeout (10 s for the route handlers, `infra/function-specs.ts`) instead of holding the request until
 * Lambda kills it. The numbers and why: infra/README.md, "Timeouts and retries".
 *
 * `@smithy/node-http-handler` is the handler the SDK's Node clients use by default; naming it here only sets its
 * timeouts, so the bundles carry no extra code.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

export type AwsService = 'dynamodb' | 'secretsManager' | 'ses';

export interface AwsCallLimits {
  /** TCP connect (the TLS handshake counts against `requestTimeoutMs`). */
  readonly connectionTimeoutMs: number;
  /** From sending one attempt to its response headers, connect and TLS included; past it the attempt fails. */
  readonly requestTimeoutMs: number;
  /** A socket idle this long while a response body is read fails the attempt. */
  readonly socketTimeoutMs: number;
  /** Attempts per call, the first included (SDK `standard` retry mode: jittered exponential backoff). */
  readonly maxAttempts: number;
}

export const AWS_CALL_LIMITS: Readonly<Record<AwsService, AwsCallLimits>> = {
  // Single-item reads and writes answer in single-digit ms in-region, transactions in tens: 1 s is ~10× their p99.
  dynamodb: { connectionTimeoutMs: 500, requestTimeoutMs: 1_000, socketTimeoutMs: 1_000, maxAttempts: 3 },
  // Read once per container per KEY_RING_CACHE_SECONDS (a cold start); the rotation's writes are retried by the
  // service itself, step by step, so one retry here is enough.
  secretsManager: { connectionTimeoutMs: 500, requestTimeoutMs: 1_500, socketTimeoutMs: 1_500, maxAttempts: 2 },
  // SendEmail takes ~100–300 ms; a retry after a timeout may send the mail twice, which beats not sending it.
  ses: { connectionTimeoutMs: 500, requestTimeoutMs: 2_000, socketTimeoutMs: 2_000, maxAttempts: 2 },
};

/**
 * The SDK's standard retry mode waits, before retry `i` (0-based), a random time up to `base × 2^i`: base 1 s
 * after throttling, 25 ms (DynamoDB) or 50 ms (other services) after anything else (@smithy/core `Retry`). It
 * waits longer only when the service names a `retry-after`, which DynamoDB, Secrets Manager and SES do not.
 */
const THROTTLING_BACKOFF_BASE_MS = 1_000;
const TRANSIENT_BACKOFF_BASE_MS = 50;

/**
 * The longest one call can take before it gives up. Each attempt but the last either times out and backs off
 * briefly, or is refused at once (throttled) and backs off long; the last one times out.
 */
export function worstCaseCallMs(service: AwsService): number {
  const l = AWS_CALL_LIMITS[service];
  let total = l.requestTimeoutMs;
  for (let i = 0; i < l.maxAttempts - 1; i++) {
    total += Math.max(l.requestTimeoutMs + TRANSIENT_BACKOFF_BASE_MS * 2 ** i, THROTTLING_BACKOFF_BASE_MS * 2 ** i);
  }
  return total;
}

/**
 * The client options of `service`: explicit timeouts on the default Node handler, the attempt count and the
 * standard retry mode. Spread into the client's constructor: `new DynamoDBClient({ ...awsClientConfig('dynamodb') })`.
 */
export function awsClientConfig(service: AwsService): {
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
  retryMode: 'standard';
} {
  const l = AWS_CALL_LIMITS[service];
  const scale = localTimeoutScale();
  return {
    requestHandler: new NodeHttpHandler({
      connectionTimeout: l.connectionTimeoutMs * scale,
      requestTimeout: l.requestTimeoutMs * scale,
      // Without it the SDK only logs a warning when requestTimeout passes, and the call goes on waiting.
      throwOnRequestTimeout: true,
      socketTimeout: l.socketTimeoutMs * scale,
    }),
    maxAttempts: l.maxAttempts,
    retryMode: 'standard',
  };
}

/**
 * The local runner only: DynamoDB Local (Java) on a shared laptop or CI machine can pause for seconds, which
 * DynamoDB does not, so `npm start` and the e2e suites multiply the timeouts by `LOCAL_SDK_TIMEOUT_SCALE` (the
 * runner sets 3; test/resilience runs at 1, the deployed values). Never set by the stack: 1 in AWS.
 */
function localTimeoutScale(): number {
  const scale = Number(process.env['LOCAL_SDK_TIMEOUT_SCALE'] ?? 1);
  return Number.isFinite(scale) && scale >= 1 && scale <= 10 ? scale : 1;
}

/**
 * Whether an error says that a dependency (DynamoDB, Secrets Manager, SES) is unavailable for now — throttled,
 * failing on its side, timed out or unreachable — rather than that the request or our code is wrong (S83). Read
 * from the error's shape, the way the SDK's own retry classification reads it, so this module imports no SDK.
 * The HTTP chain answers these `503` with `Retry-After`; a client error of the SDK (access denied, a missing
 * table, a validation error) stays a `500`: it is a deployment bug, and retrying does not fix it.
 */

/**
 * Seconds a client is asked to wait (`Retry-After`) after a dependency failed: past the SDK's own backoff, so
 * the retry meets a dependency that has had a moment (the timeouts and retries: shared/adapters/aws-client-config.ts).
 */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 2;

/** Throttling names across the three services (and what the SDK's retry strategy counts as throttling). */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
]);

/** Failures on the service's side or on the way to it. */
const UNAVAILABLE = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'AbortError',
]);

/** Node's codes for a connection that could not be made, was dropped, or timed out. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** Reasons of a cancelled DynamoDB transaction that say "try again", not "your condition failed". */
const TRANSIENT_CANCELLATION = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  CancellationReasons?: { Code?: unknown }[];
  cause?: unknown;
}

export function isDependencyFailure(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const e = error as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  if (THROTTLING.has(name) || UNAVAILABLE.has(name)) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (e.$fault === 'server' || e.$retryable !== undefined) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  if (name === 'TransactionCanceledException') {
    const codes = (e.CancellationReasons ?? []).map((r) => r.Code);
    // A condition that failed is an answer, not an outage (the stores turn it into ConditionFailedError).
    if (!codes.includes('ConditionalCheckFailed') && codes.some((c) => TRANSIENT_CANCELLATION.has(String(c))))
      return true;
  }
  return isDependencyFailure(e.cause, depth + 1);
}

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SecurityEventType } from './log.js';

/** CloudWatch metric names (namespace `Auth`, dimension `service`) that the stack's alarms watch. */
export const SECURITY_METRICS: Partial<Record<SecurityEventType, string>> = {
  login_success: 'LoginSuccess',
  login_failure: 'LoginFailure',
  login_locked: 'LoginLocked',
  refresh_reuse: 'RefreshTokenReuse',
  authorizer_deny: 'AuthorizerDeny',
};

export const METRICS_NAMESPACE = 'Auth';

let metrics: Metrics | undefined;

/**
 * One embedded-metric-format line per security event (Powertools Metrics), flushed at once so no
 * end-of-invocation hook is needed. Disabled locally with POWERTOOLS_METRICS_DISABLED.
 */
export function countSecurityEvent(type: SecurityEventType): void {
  const name = SECURITY_METRICS[type];
  if (!name) return;
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'auth' });
  metrics.addMetric(name, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

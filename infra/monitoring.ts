import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SECURITY_METRICS } from '../shared/observability/metrics.js';

export interface SecurityAlarmsProps {
  /** The `service` dimension the functions publish with (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;
  /** @default - no action */
  readonly topic?: ITopic;
  /** @default 100 */
  readonly loginFailureThreshold?: number;
}

/**
 * Alarms on the security events the functions publish as embedded metrics (shared/observability/metrics.ts): any
 * refresh-token reuse (a stolen token or a broken client), a spike of failed sign-ins (credential stuffing),
 * and a spike of lockouts.
 */
export class SecurityAlarms extends Construct {
  public readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: SecurityAlarmsProps) {
    super(scope, id);
    const metric = (name: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: props.serviceName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    const alarm = (alarmId: string, name: string, threshold: number, description: string) =>
      new Alarm(this, alarmId, {
        metric: metric(name),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    this.alarms = [
      alarm(
        'RefreshTokenReuse',
        SECURITY_METRICS.refresh_reuse!,
        1,
        'A rotated refresh token was presented again: a session family was revoked (theft or a client that refreshes concurrently).',
      ),
      alarm(
        'LoginFailureSpike',
        SECURITY_METRICS.login_failure!,
        props.loginFailureThreshold ?? 100,
        'Failed sign-ins above the normal rate: possible credential stuffing.',
      ),
      alarm(
        'LockoutSpike',
        SECURITY_METRICS.login_locked!,
        20,
        'Many sign-in attempts refused by the per-account or per-IP limits.',
      ),
    ];
    if (props.topic) for (const a of this.alarms) a.addAlarmAction(new SnsAction(props.topic));
  }
}

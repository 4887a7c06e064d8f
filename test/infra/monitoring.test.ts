import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SecurityAlarms } from '../../infra/monitoring.js';

const denyAlarm = (props: { authorizerDenyThreshold?: number }) => {
  const stack = new Stack(new App(), 'S');
  new SecurityAlarms(stack, 'Alarms', { serviceName: 'auth', ...props });
  const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(
    (a) => (a as { Properties: Record<string, unknown> }).Properties,
  );
  return alarms.find((a) => a.MetricName === 'AuthorizerDeny');
};

describe('Construct: SecurityAlarms (authorizer deny burst)', () => {
  it('S50: alarms on 50 authorizer denies in 5 minutes by default', () => {
    expect(denyAlarm({})).toMatchObject({
      Namespace: 'Auth',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 50,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'service', Value: 'auth' }],
    });
  });
  it('S50: takes the threshold from the prop', () => {
    expect(denyAlarm({ authorizerDenyThreshold: 7 })).toMatchObject({ Threshold: 7 });
  });
});

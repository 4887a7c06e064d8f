/**
 * Every function's bundle replaces Powertools Metrics with infra/bundling/slim-metrics.ts. This proves the two write
 * the same embedded-metric-format line for each security metric the code emits, so the stack's alarms on them do not
 * depend on which build emitted it.
 */
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Metrics as SlimMetrics } from '../../infra/bundling/slim-metrics.js';
import { SECURITY_METRICS } from '../../shared/observability/metrics.js';

function emitted(
  make: () => { addMetric(n: string, u: never, v: number): void; publishStoredMetrics(): void },
  name = 'AuthorizerDeny',
) {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void lines.push(String(s)));
  try {
    const m = make();
    m.addMetric(name, MetricUnit.Count as never, 1);
    m.publishStoredMetrics();
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
  return lines
    .join('\n')
    .split('\n')
    .filter((l) => l.includes('_aws'))
    .map((l) => {
      const parsed = JSON.parse(l) as { _aws: { Timestamp: number } };
      expect(typeof parsed._aws.Timestamp).toBe('number');
      parsed._aws.Timestamp = 0;
      return parsed;
    });
}

describe('Class: slim Metrics (in every bundle)', () => {
  afterEach(() => {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });

  it('S50: writes the same EMF line as Powertools Metrics', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const options = { namespace: 'Auth', serviceName: 'auth' };
    const real = emitted(() => new PowertoolsMetrics(options));
    const slim = emitted(() => new SlimMetrics(options));
    expect(real).toHaveLength(1);
    expect(slim).toEqual(real);
  });

  it('S50: writes the same EMF line as Powertools for every security metric the stack alarms on', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const options = { namespace: 'Auth', serviceName: 'auth' };
    const names = Object.values(SECURITY_METRICS);
    expect(names).toEqual(expect.arrayContaining(['LoginSuccess', 'LoginFailure', 'RefreshTokenReuse']));
    for (const name of names) {
      const real = emitted(() => new PowertoolsMetrics(options), name);
      expect(real).toHaveLength(1);
      expect(emitted(() => new SlimMetrics(options), name)).toEqual(real);
    }
  });

  it('writes nothing when POWERTOOLS_METRICS_DISABLED is true', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    expect(emitted(() => new SlimMetrics({ namespace: 'Auth', serviceName: 'auth' }))).toEqual([]);
  });
});

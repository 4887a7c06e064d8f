/**
 * The authorizer's bundle replaces Powertools Metrics with infra/bundling/slim-metrics.ts. This proves the two write
 * the same embedded-metric-format line, so the AuthorizerDeny metric (and any alarm on it) does not depend on which
 * function emitted it.
 */
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Metrics as SlimMetrics } from '../../infra/bundling/slim-metrics.js';

function emitted(make: () => { addMetric(n: string, u: never, v: number): void; publishStoredMetrics(): void }) {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void lines.push(String(s)));
  try {
    const m = make();
    m.addMetric('AuthorizerDeny', MetricUnit.Count as never, 1);
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

describe('Class: slim Metrics (authorizer bundle)', () => {
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

  it('writes nothing when POWERTOOLS_METRICS_DISABLED is true', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    expect(emitted(() => new SlimMetrics({ namespace: 'Auth', serviceName: 'auth' }))).toEqual([]);
  });
});

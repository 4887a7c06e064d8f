/**
 * Bundled in place of `@aws-lambda-powertools/metrics` into every function (esbuild `--alias`, like slim-logger.ts):
 * the security-event metrics (shared/observability/metrics.ts: LoginSuccess, LoginFailure, LoginLocked,
 * RefreshTokenReuse, AuthorizerDeny) as the same CloudWatch embedded-metric-format line Powertools writes, without
 * its ~18 KB. Implements what metrics.ts uses: `new Metrics({namespace, serviceName})`, `addMetric`,
 * `publishStoredMetrics`; honours POWERTOOLS_METRICS_DISABLED and POWERTOOLS_DEV. test/unit/slim-metrics.test.ts
 * compares its line with the real one for each of those metrics.
 */
export const MetricUnit = { Count: 'Count' } as const;

function disabled(): boolean {
  const flag = process.env.POWERTOOLS_METRICS_DISABLED;
  if (flag !== undefined) return flag.toLowerCase() === 'true' || flag === '1';
  return (process.env.POWERTOOLS_DEV ?? '').toLowerCase() === 'true';
}

export class Metrics {
  private readonly stored = new Map<string, { unit: string; value: number }>();
  private readonly namespace: string;
  private readonly service: string;
  private readonly off = disabled();

  constructor(options: { namespace?: string; serviceName?: string } = {}) {
    this.namespace = options.namespace ?? process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'default_namespace';
    this.service = options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'service_undefined';
  }

  addMetric(name: string, unit: string, value: number): void {
    const existing = this.stored.get(name);
    this.stored.set(name, { unit, value: (existing?.value ?? 0) + value });
  }

  publishStoredMetrics(): void {
    if (this.stored.size === 0) return;
    const metrics = [...this.stored];
    this.stored.clear();
    if (this.off) return;
    const line = {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.namespace,
            Dimensions: [['service']],
            Metrics: metrics.map(([Name, m]) => ({ Name, Unit: m.unit })),
          },
        ],
      },
      service: this.service,
      ...Object.fromEntries(metrics.map(([name, m]) => [name, m.value])),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

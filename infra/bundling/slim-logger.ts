/**
 * Bundled in place of `@aws-lambda-powertools/logger` into every function (esbuild `--alias`, see
 * infra/bundling/bundling.ts). Tests, `npm start` and the local runner run the sources with the real Powertools.
 *
 * Why: Powertools Logger with its commons is ~24 KB of minified code to parse in every cold start (the authorizer's
 * whole budget is 30 KB), and the code calls four of its methods (`info`, `warn`, `error`, `appendKeys`, all through
 * shared/observability/log.ts and shared/http/handler.ts, always with plain-object fields). This class implements
 * exactly those — plus `debug` and `removeKeys` — with the same JSON line as Powertools (`level`, `message`,
 * `timestamp`, `service`, `sampling_rate`, `xray_trace_id`, the appended keys, then the call's fields) and the same
 * log-level variables. test/unit/slim-logger.test.ts compares its output with the real Logger's, line by line, for
 * every call shape the code makes, and fails if the code starts calling a method this class lacks.
 */
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const RANK: Record<string, number> = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 };

type Fields = Record<string, unknown>;

function levelFromEnv(): number {
  const name = (
    process.env.POWERTOOLS_LOG_LEVEL ??
    process.env.AWS_LAMBDA_LOG_LEVEL ??
    process.env.LOG_LEVEL ??
    'INFO'
  ).toUpperCase();
  return RANK[name] ?? RANK.INFO;
}

function errorFields(e: Error): Fields {
  return { name: e.name, message: e.message, stack: e.stack };
}

export class Logger {
  private readonly service: string;
  private readonly threshold = levelFromEnv();
  private readonly persistent: Fields = {};

  constructor(options: { serviceName?: string } = {}) {
    this.service = options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'service_undefined';
  }

  appendKeys(keys: Fields): void {
    Object.assign(this.persistent, keys);
  }

  removeKeys(keys: string[]): void {
    for (const k of keys) delete this.persistent[k];
  }

  debug(message: string, ...extra: unknown[]): void {
    this.write('DEBUG', message, extra);
  }

  info(message: string, ...extra: unknown[]): void {
    this.write('INFO', message, extra);
  }

  warn(message: string, ...extra: unknown[]): void {
    this.write('WARN', message, extra);
  }

  error(message: string, ...extra: unknown[]): void {
    this.write('ERROR', message, extra);
  }

  private write(level: Level, message: string, extra: unknown[]): void {
    if (RANK[level] < this.threshold) return;
    const trace = /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1];
    const line: Fields = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      sampling_rate: 0,
      ...(trace ? { xray_trace_id: trace } : {}),
      ...this.persistent,
    };
    for (const e of extra) {
      if (e instanceof Error) line.error = errorFields(e);
      else if (typeof e === 'object' && e !== null) Object.assign(line, e);
      else if (e !== undefined) line.extra = e;
    }
    const text = `${JSON.stringify(line)}\n`;
    if (level === 'WARN' || level === 'ERROR') process.stderr.write(text);
    else process.stdout.write(text);
  }
}

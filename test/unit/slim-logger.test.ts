/**
 * Every function's bundle replaces Powertools Logger with infra/bundling/slim-logger.ts (tests and the local runner
 * run the real one). This proves the two write the same JSON line for every call shape the code makes, so
 * CloudWatch queries and the S49/S50 log contract do not depend on which build wrote the line, and that the code
 * calls no Logger method the slim class lacks.
 */
import { readFileSync } from 'node:fs';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger as SlimLogger } from '../../infra/bundling/slim-logger.js';
import { sourceFiles } from '../helpers/source-files.js';

interface LoggerLike {
  appendKeys(keys: Record<string, unknown>): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
  debug(message: string, ...extra: unknown[]): void;
}

function capture(run: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const grab = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as never;
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  try {
    run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const { timestamp, ...rest } = JSON.parse(l) as Record<string, unknown>;
      expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      return rest;
    });
}

const script = (logger: LoggerLike) => () => {
  logger.appendKeys({ correlationId: 'req-1' });
  logger.info('security_event authorizer_deny', {
    securityEvent: 'authorizer_deny',
    reason: 'expired',
    n: 1,
    gone: undefined,
  });
  logger.debug('not shown at INFO');
  logger.warn('request failed', { code: 'invalid_token', cause: { name: 'X', message: 'y' } });
  logger.error('security_event authorizer_deny', {
    securityEvent: 'authorizer_deny',
    reason: 'keys_unavailable',
    error: 'E: m',
  });
  // The shapes shared/http/handler.ts, shared/observability/log.ts and the domain's error paths log.
  logger.info('security_event login_success', {
    securityEvent: 'login_success',
    userId: 'u-1',
    method: 'password',
    mfa: false,
    attempts: 3,
  });
  logger.warn('request failed', { code: 'invalid_body', correlationId: 'req-1', cause: undefined });
  logger.warn('dependency unavailable', {
    correlationId: 'req-1',
    cause: {
      name: 'ProvisionedThroughputExceededException',
      message: 'Rate of requests exceeds the allowed throughput.',
    },
  });
  logger.error('unhandled error', { correlationId: 'req-1', cause: { value: 'string' } });
  logger.error('mail send failed', { purpose: 'magic_link', cause: 'TimeoutError' });
  logger.error('oauth callback failed', { cause: { name: 'OperationProcessingError', message: 'unexpected "iss"' } });
  logger.warn('password hash upgrade failed', { userId: 'u-1', error: 'Error: x' });
  logger.warn('api key lastUsedAt not recorded', { keyId: 'k-1', error: 'ConditionalCheckFailedException' });
  logger.info('quotes "\\ and unicode é ✓', { text: 'line\nbreak', list: ['a', 1, null], nested: { deep: { x: 1 } } });
};

/** Every `logger.<method>(` the deployed code calls, from the sources that ship. */
function methodsCalled(): Set<string> {
  const called = new Set<string>();
  for (const file of sourceFiles(['shared', 'functions']))
    for (const m of readFileSync(file, 'utf8').matchAll(/\blogger\s*\.\s*(\w+)\s*\(/g)) called.add(m[1]);
  return called;
}

afterEach(() => vi.unstubAllEnvs());

describe('Class: Logger (slim, in every bundle)', () => {
  it('S50: writes the same JSON lines as Powertools Logger (timestamps aside)', () => {
    const expected = capture(script(new PowertoolsLogger({ serviceName: 'auth' })));
    const actual = capture(script(new SlimLogger({ serviceName: 'auth' })));
    expect(expected).toHaveLength(12);
    expect(actual).toEqual(expected);
  });

  it('implements every Logger method the deployed code calls', () => {
    const called = methodsCalled();
    expect(called).toContain('appendKeys');
    expect(called).toContain('warn');
    const missing = [...called].filter((m) => typeof (SlimLogger.prototype as never)[m] !== 'function');
    expect(missing).toEqual([]);
  });

  it('S50: honours POWERTOOLS_LOG_LEVEL and adds the X-Ray trace id like Powertools', () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1');
    const expected = capture(script(new PowertoolsLogger({ serviceName: 'auth' })));
    const actual = capture(script(new SlimLogger({ serviceName: 'auth' })));
    expect(expected).toHaveLength(4);
    expect(actual).toEqual(expected);
  });
});

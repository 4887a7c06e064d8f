/**
 * The authorizer's bundle replaces Powertools Logger with infra/bundling/slim-logger.ts. This proves the two
 * write the same JSON line for every call the code makes, so CloudWatch queries and the S49/S50 log contract
 * do not depend on which function wrote the line.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Logger as SlimLogger } from '../../infra/bundling/slim-logger.js';

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
};

afterEach(() => vi.unstubAllEnvs());

describe('Class: Logger (slim, authorizer bundle)', () => {
  it('S50: writes the same JSON lines as Powertools Logger (timestamps aside)', () => {
    const expected = capture(script(new PowertoolsLogger({ serviceName: 'auth' })));
    const actual = capture(script(new SlimLogger({ serviceName: 'auth' })));
    expect(expected).toHaveLength(3);
    expect(actual).toEqual(expected);
  });

  it('S50: honours POWERTOOLS_LOG_LEVEL and adds the X-Ray trace id like Powertools', () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1');
    const expected = capture(script(new PowertoolsLogger({ serviceName: 'auth' })));
    const actual = capture(script(new SlimLogger({ serviceName: 'auth' })));
    expect(expected).toHaveLength(1);
    expect(actual).toEqual(expected);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';

describe('Function: securityEvent metrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('S50: a refresh reuse emits one EMF metric line in namespace Auth that the stack alarm watches', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const { securityEvent } = await import('../../shared/observability/log.js');
    securityEvent('refresh_reuse', { familyId: 'f-1', userId: 'u-1' });
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('_aws'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Auth',
      Metrics: [{ Name: 'RefreshTokenReuse', Unit: 'Count' }],
    });
    expect(emf[0].RefreshTokenReuse).toBe(1);
    const event = lines.flatMap((l) => l.split('\n')).find((l) => l.includes('securityEvent'))!;
    expect(JSON.parse(event)).toMatchObject({ securityEvent: 'refresh_reuse', familyId: 'f-1', level: 'INFO' });
  });

  it('S19: a deny because the keys are unavailable is counted as AuthorizerDeny, logged at error level', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    // Error-level lines go to stderr.
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const { createAuthorizer } = await import('../../shared/authorizer/authorizer.js');
    const { TokenVerificationError } = await import('../../shared/domain/verify-access-token.js');
    const verifier = {
      verify: () => Promise.reject(new TokenVerificationError('keys_unavailable')),
    } as unknown as Parameters<typeof createAuthorizer>[0]['verifier'];
    const authorize = createAuthorizer({ verifier });
    await expect(authorize({ type: 'TOKEN', methodArn: 'arn:x', authorizationToken: 'Bearer a.b.c' })).rejects.toThrow(
      'Unauthorized',
    );
    const all = lines.flatMap((l) => l.split('\n')).filter(Boolean);
    const emf = all.filter((l) => l.includes('_aws')).map((l) => JSON.parse(l));
    expect(emf.some((m) => m.AuthorizerDeny === 1)).toBe(true);
    const event = all.find((l) => l.includes('"securityEvent"'))!;
    expect(JSON.parse(event)).toMatchObject({
      securityEvent: 'authorizer_deny',
      reason: 'keys_unavailable',
      level: 'ERROR',
    });
  });
});

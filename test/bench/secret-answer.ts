/** The loopback Secrets Manager answer both benches serve: `GetSecretValue` for a known secret, else a 400. */
import type { ServerResponse } from 'node:http';

const JSON_11 = { 'content-type': 'application/x-amz-json-1.1' };

export function answerSecretValue(res: ServerResponse, secrets: Record<string, string>, body: string, ok = true): void {
  const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
  const value = SecretId ? secrets[SecretId] : undefined;
  if (!ok || value === undefined) {
    res.writeHead(400, JSON_11).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
    return;
  }
  res.writeHead(200, JSON_11).end(
    JSON.stringify({
      ARN: `arn:aws:secretsmanager:local:000000000000:secret:${SecretId}`,
      Name: SecretId,
      SecretString: value,
      VersionId: 'v1',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 0,
    }),
  );
}

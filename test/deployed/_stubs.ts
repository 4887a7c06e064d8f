/**
 * TEMPORARY stand-ins with the API of the lead's infra/local/aws/dynamodb-guard.ts and ses.ts (not merged yet).
 * Deleted once they are on main.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessDeniedMessage, callerOf, isAllowed, type PermissionsOf } from '../../infra/local/aws/iam.js';

export async function startDynamoGuard(o: { target: string; permissionsOf: PermissionsOf; tableArn: (name: string) => string }) {
  void o.permissionsOf;
  void o.tableArn;
  return { endpoint: o.target, close: async () => undefined };
}

export interface SentMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: Date;
}

export async function startSesStandIn(o: { permissionsOf: PermissionsOf; identityArn?: (identity: string) => string }) {
  const mails: SentMail[] = [];
  const arnOf = o.identityArn ?? ((i: string) => `arn:aws:ses:us-east-1:000000000000:identity/${i}`);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const caller = callerOf(req.headers.authorization) ?? '';
    const from = String(body.FromEmailAddress ?? '');
    const identities = [from, from.split('@')[1] ?? ''].map(arnOf);
    if (!identities.some((arn) => isAllowed(o.permissionsOf(caller), 'ses:SendEmail', arn))) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
      res.end(JSON.stringify({ message: accessDeniedMessage(caller, 'ses:SendEmail', identities[1]!) }));
      return;
    }
    const s = body.Content?.Simple;
    mails.push({ to: body.Destination?.ToAddresses?.[0], subject: s?.Subject?.Data, text: s?.Body?.Text?.Data, html: s?.Body?.Html?.Data, sentAt: new Date() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ MessageId: `m-${mails.length}` }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mails: () => [...mails],
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

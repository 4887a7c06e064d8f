/**
 * A loopback stand-in for SES v2 `SendEmail` (REST JSON, `POST /v2/email/outbound-emails`), reached through the
 * SDK's own `AWS_ENDPOINT_URL_SESV2`: the functions send mail exactly as they do on AWS, and the stand-in keeps it
 * for the dev outbox (`GET /_dev/outbox`) and the tests. Like IAM, it refuses a caller whose policy does not allow
 * `ses:SendEmail` on the sender's identity (S81).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessDeniedMessage, callerOf, isAllowed, type PermissionsOf } from './iam.js';

/** A mail as the dev outbox shows it. */
export interface SentMail {
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** ISO 8601, UTC. */
  readonly sentAt: string;
}

export interface SesStandInOptions {
  readonly permissionsOf: PermissionsOf;
  /** The ARN of an SES resource (`identity/example.com`, `configuration-set/name`), as the policies name it. */
  readonly arn: (resource: string) => string;
  /** Mails kept, newest last. @default 1000 */
  readonly maxMails?: number;
}

export interface SesStandIn {
  readonly endpoint: string;
  /** Every mail sent, newest last (copies). */
  mails(): SentMail[];
  /** Called for every mail sent. Returns an unsubscribe function. */
  onSend(listener: (mail: SentMail) => void): () => void;
  close(): Promise<void>;
}

export async function startSesStandIn(options: SesStandInOptions): Promise<SesStandIn> {
  const mails: SentMail[] = [];
  const listeners = new Set<(m: SentMail) => void>();
  const fail = (res: ServerResponse, status: number, type: string, message: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype': type,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(JSON.stringify({ message }));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v2/email/outbound-emails') {
        return fail(res, 404, 'NotFoundException', 'This stand-in answers SendEmail only.');
      }
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return fail(res, 400, 'BadRequestException', 'The request body is not JSON.');
      }
      const from = String(body?.FromEmailAddress ?? '');
      const to: string[] = body?.Destination?.ToAddresses ?? [];
      const simple = body?.Content?.Simple;
      if (!from.includes('@') || to.length === 0 || !simple)
        return fail(res, 400, 'BadRequestException', 'FromEmailAddress, Destination and Content.Simple are required.');
      const caller = callerOf(req.headers.authorization) ?? 'anonymous';
      const policy = options.permissionsOf(caller);
      // SES authorises against the identity that covers the sender: the address itself or its domain.
      const identities = [from, from.split('@').pop()!].map((i) => options.arn(`identity/${i}`));
      if (!identities.some((arn) => isAllowed(policy, 'ses:SendEmail', arn))) {
        return fail(res, 403, 'AccessDeniedException', accessDeniedMessage(caller, 'ses:SendEmail', identities[1]));
      }
      if (body.ConfigurationSetName) {
        const arn = options.arn(`configuration-set/${body.ConfigurationSetName}`);
        if (!isAllowed(policy, 'ses:SendEmail', arn))
          return fail(res, 403, 'AccessDeniedException', accessDeniedMessage(caller, 'ses:SendEmail', arn));
      }
      const sentAt = new Date().toISOString();
      for (const recipient of to) {
        const mail: SentMail = {
          to: recipient,
          from,
          subject: simple.Subject?.Data ?? '',
          text: simple.Body?.Text?.Data ?? '',
          html: simple.Body?.Html?.Data ?? '',
          sentAt,
        };
        mails.push(mail);
        if (mails.length > (options.maxMails ?? 1000)) mails.shift();
        for (const l of listeners) l({ ...mail });
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify({ MessageId: randomUUID() }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mails: () => mails.map((m) => ({ ...m })),
    onSend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

import type { MailMessage, Mailer } from '../../ports/mailer.js';

/** A mail as the dev outbox shows it (`GET /_dev/outbox`). */
export interface OutboxMessage extends MailMessage {
  /** ISO 8601, UTC. */
  sentAt: string;
}

/** The links (http/https URLs) in a mail's text part. */
export const linksIn = (m: Pick<MailMessage, 'text'>): string[] => m.text.match(/https?:\/\/[^\s<>"]+/g) ?? [];

/**
 * `MAILER=outbox`: keeps each mail in memory and sends nothing — for handler tests that need no SES. The local
 * runner does not use it: its functions send through the SES v2 stand-in (infra/local/aws/ses.ts), which is the
 * dev outbox (`GET /_dev/outbox`).
 * @example const mailer = new OutboxMailer(); await mailer.send({ to, subject, text, html }); mailer.messages;
 */
const MAX_MESSAGES = 1000;

export class OutboxMailer implements Mailer {
  /** The mails sent through this mailer, newest last (the last 1,000). */
  readonly messages: OutboxMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    this.messages.push({ ...message, sentAt: new Date().toISOString() });
    if (this.messages.length > MAX_MESSAGES) this.messages.shift();
  }
}

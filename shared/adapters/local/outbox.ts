import type { MailMessage, Mailer } from '../../ports.js';

/** A mail as the dev outbox shows it (`GET /_dev/outbox`). */
export interface OutboxMessage extends MailMessage {
  /** ISO 8601, UTC. */
  sentAt: string;
}

/**
 * The local runner's mailbox: a module-level list shared by every handler of the process (the runner imports
 * them all), newest last. Never used in AWS (`MAILER=ses` there), and `/_dev/outbox` is not in ROUTES.
 */
const messages: OutboxMessage[] = [];
const listeners = new Set<(m: OutboxMessage) => void>();
const MAX_MESSAGES = 1000;

export const outbox = {
  list: (): OutboxMessage[] => messages.map((m) => ({ ...m })),
  clear: (): void => void messages.splice(0),
  /** Called for every mail sent (the runner prints the links). Returns an unsubscribe function. */
  onSend(listener: (m: OutboxMessage) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** The links (http/https URLs) in a mail's text part. */
export const linksIn = (m: Pick<MailMessage, 'text'>): string[] => m.text.match(/https?:\/\/[^\s<>"]+/g) ?? [];

/**
 * @example const mailer = new OutboxMailer(); await mailer.send({ to, subject, text, html });
 */
export class OutboxMailer implements Mailer {
  async send(message: MailMessage): Promise<void> {
    const stored = { ...message, sentAt: new Date().toISOString() };
    messages.push(stored);
    if (messages.length > MAX_MESSAGES) messages.shift();
    for (const l of listeners) l({ ...stored });
  }
}

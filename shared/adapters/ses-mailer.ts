import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { MailMessage, Mailer } from '../ports/mailer.js';

export interface SesMailerOptions {
  /** The verified sender, e.g. `no-reply@example.com` (config `MAIL_FROM`). */
  readonly from: string;
  /** SES configuration set for delivery events (config `SES_CONFIGURATION_SET`). @default - none */
  readonly configurationSet?: string;
}

/**
 * Sends mail with SES v2 `SendEmail` (simple content: subject, text and HTML parts, UTF-8).
 * @example const mailer = new SesMailer(new SESv2Client({}), { from: config.MAIL_FROM });
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {}

  async send(message: MailMessage): Promise<void> {
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.options.from,
        Destination: { ToAddresses: [message.to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
          },
        },
        ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      }),
    );
  }
}

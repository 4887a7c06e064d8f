export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one mail. Throws when the provider refuses or is unreachable. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

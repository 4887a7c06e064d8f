/** What a template gets: the link, the code, how long both stay valid, and the address the mail goes to. */
export interface MailTemplateInput {
  email: string;
  link: string;
  code: string;
  expiresInMinutes: number;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * The mails of the email flows, one function per purpose, plain text + HTML, no external assets (no images,
 * fonts or tracking pixels). To change the wording or branding, pass your own `MailTemplates` to the
 * composition root (`setMailTemplates` in shared/composition/email.ts) or edit this file; keep the link, the code,
 * the expiry and the "if you did not ask for this" sentence.
 */
export interface MailTemplates {
  magic_link(input: MailTemplateInput): RenderedMail;
  verify_email(input: MailTemplateInput): RenderedMail;
  password_reset(input: MailTemplateInput): RenderedMail;
  /** Sent instead of a verification mail when someone signs up with an address that already has an account. */
  account_exists(input: { email: string; link: string }): RenderedMail;
}

import type { EmailTokenPurpose } from '../ports/email-token-store.js';
import type { MailTemplateInput, MailTemplates, RenderedMail } from '../ports/mail-templates.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function render(
  subject: string,
  intro: string,
  action: string,
  input: MailTemplateInput,
  ignore: string,
): RenderedMail {
  const text = [
    intro,
    '',
    `${action}:`,
    input.link,
    '',
    `Or enter this code: ${input.code}`,
    '',
    `The link and the code work once and expire in ${input.expiresInMinutes} minutes.`,
    '',
    ignore,
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#222;max-width:32rem;margin:1rem auto;padding:0 1rem">
<p>${escapeHtml(intro)}</p>
<p><a href="${escapeHtml(input.link)}" style="display:inline-block;padding:.6rem 1.2rem;background:#1a56db;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(action)}</a></p>
<p>Or enter this code: <strong style="font-size:1.3rem;letter-spacing:.15rem">${escapeHtml(input.code)}</strong></p>
<p>The link and the code work once and expire in ${input.expiresInMinutes} minutes.</p>
<p style="color:#666;font-size:.9rem">${escapeHtml(ignore)}</p>
</body></html>`;
  return { subject, text, html };
}

export const defaultMailTemplates: MailTemplates = {
  magic_link: (i) =>
    render(
      'Your sign-in link',
      `Someone (hopefully you) asked to sign in as ${i.email}.`,
      'Sign in',
      i,
      'If you did not ask for this, ignore this mail: nobody can sign in without the link or the code, and both expire on their own.',
    ),
  verify_email: (i) =>
    render(
      'Confirm your email address',
      `Confirm that ${i.email} is your address.`,
      'Confirm my address',
      i,
      'If you did not create an account, ignore this mail: the address stays unconfirmed.',
    ),
  password_reset: (i) =>
    render(
      'Reset your password',
      `Someone (hopefully you) asked to reset the password of ${i.email}.`,
      'Choose a new password',
      i,
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ),
  account_exists: ({ email, link }) => {
    const text = [
      `Someone tried to create an account with ${email}, which already has one.`,
      '',
      'If it was you, sign in, or reset your password here:',
      link,
      '',
      'If it was not you, ignore this mail: nothing has changed.',
    ].join('\n');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>You already have an account</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#222;max-width:32rem;margin:1rem auto;padding:0 1rem">
<p>Someone tried to create an account with ${escapeHtml(email)}, which already has one.</p>
<p>If it was you, sign in, or <a href="${escapeHtml(link)}">reset your password</a>.</p>
<p style="color:#666;font-size:.9rem">If it was not you, ignore this mail: nothing has changed.</p></body></html>`;
    return { subject: 'You already have an account', text, html };
  },
};

/** Where each purpose's link lands (the page that POSTs the token). */
export const LANDING_PATHS: Record<EmailTokenPurpose, string> = {
  magic_link: '/auth/magic-link/verify',
  verify_email: '/auth/verify-email',
  password_reset: '/auth/password-reset/confirm',
};

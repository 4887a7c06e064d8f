/**
 * The mail a user gets when a passkey is added to or removed from the account (S72): if it was not them, they learn
 * at once. Plain text and HTML, no links (nothing to phish with), the passkey's name escaped.
 */
import { securityEvent } from '../../observability/log.js';
import type { Mailer, MailMessage } from '../../ports/mailer.js';
import type { UserStore } from '../../ports/user-store.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function passkeyNoticeMail(
  to: string,
  event: 'passkey_added' | 'passkey_removed',
  name: string,
  service: string,
): MailMessage {
  const what = event === 'passkey_added' ? 'added to' : 'removed from';
  const subject = event === 'passkey_added' ? 'A passkey was added to your account' : 'A passkey was removed';
  const line = `The passkey "${name}" was ${what} your ${service} account.`;
  const advice = 'If this was not you, sign in, remove passkeys you do not recognise and change your password.';
  return {
    to,
    subject,
    text: `${line}\n\n${advice}\n`,
    html: `<p>${escapeHtml(line)}</p><p>${escapeHtml(advice)}</p>`,
  };
}

/**
 * The `notify` hook of the passkey use-cases: mails the account's address. A failed send is logged and does not
 * undo the change (the passkey is already stored or removed).
 */
export function mailPasskeyNotices(deps: { users: UserStore; mailer: Mailer; service: string }) {
  return async (userId: string, event: 'passkey_added' | 'passkey_removed', name: string): Promise<void> => {
    try {
      const user = await deps.users.findById(userId);
      if (!user) return;
      await deps.mailer.send(passkeyNoticeMail(user.email, event, name, deps.service));
    } catch (e) {
      securityEvent(
        'passkey_failed',
        { userId, reason: 'notice_mail', detail: e instanceof Error ? e.name : 'error' },
        'error',
      );
    }
  };
}

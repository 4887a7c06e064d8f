import { createHash } from 'node:crypto';
import type { EmailTokenPurpose } from '../ports/email-token-store.js';
import type { HttpResponse } from './handler.js';

/**
 * The page an email link opens (S31, S32). It never consumes anything on GET: its one inline script reads the
 * token from the URL, removes it from the address bar and history, and POSTs it as JSON to the same path —
 * by itself only when `autoSubmit` (the browser that asked for the link), after a click otherwise. Mail
 * scanners that fetch the link, even ones that render it, burn nothing unless they also click.
 *
 * Everything is inline and allowed by hash, nothing else is: `default-src 'none'`, `connect-src 'self'`, no
 * third-party resource, `frame-ancestors 'none'`, Trusted Types, plus `Referrer-Policy: no-referrer` and
 * `Cache-Control: no-store` from the handler chain.
 */
const SCRIPT = `(function () {
  var body = document.body;
  var mode = body.getAttribute('data-mode');
  var token = new URLSearchParams(location.search).get('token') || '';
  history.replaceState(null, '', location.pathname);
  var status = document.getElementById('status');
  var form = document.getElementById('form');
  var go = document.getElementById('go');
  var password = document.getElementById('password');
  function say(text) { status.textContent = text; }
  if (!token) { say('This link is incomplete. Open the link from the mail again, or use the code.'); form.hidden = true; return; }
  function submit() {
    var payload = { token: token };
    if (mode === 'password_reset') payload.newPassword = password.value;
    go.disabled = true;
    say('One moment…');
    fetch(location.pathname, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
      .then(function (r) { return r.text().then(function (t) { var b = {}; try { b = t ? JSON.parse(t) : {}; } catch (e) {} return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if (!res.ok) {
          say(res.body.message || 'Something went wrong. Try again.');
          if (res.body.error === 'invalid_token') form.hidden = true; else go.disabled = false;
          return;
        }
        form.hidden = true;
        if (mode === 'magic_link') {
          if (res.body.redirectTo) { say('Signed in. Redirecting…'); location.assign(res.body.redirectTo); }
          else say('You are signed in. You can close this tab.');
        } else if (mode === 'verify_email') say('Your email address is confirmed. You can close this tab.');
        else say('Your password was changed and every session was signed out. Sign in with the new password.');
      })
      .catch(function () { go.disabled = false; say('The network failed. Try again.'); });
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); submit(); });
  if (body.getAttribute('data-auto') === '1') submit();
})();`;

const STYLE = `body{font-family:system-ui,sans-serif;line-height:1.5;color:#222;max-width:30rem;margin:3rem auto;padding:0 1rem}
button{font:inherit;padding:.5rem 1.2rem;cursor:pointer}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box;margin:.5rem 0}`;

const hash = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** CSP directives over the chain's defaults: only this page's script and style, only same-origin fetches. */
export const LANDING_PAGE_CSP: Record<string, string | undefined> = {
  'default-src': "'none'",
  'script-src': hash(SCRIPT),
  'style-src': hash(STYLE),
  'connect-src': "'self'",
  'form-action': "'none'",
  'base-uri': "'none'",
  'frame-ancestors': "'none'",
  // The default `sandbox` would give the page an opaque origin (its fetch would not be same-origin) and block
  // its script; the page loads nothing cross-origin, so these defaults have nothing left to protect.
  sandbox: undefined,
  'upgrade-insecure-requests': undefined,
  'navigate-to': undefined,
};

const COPY: Record<EmailTokenPurpose, { title: string; ask: string; button: string }> = {
  magic_link: {
    title: 'Sign in',
    ask: 'Sign in on this device? This link was requested from another browser or device. Continue only if you asked for it.',
    button: 'Sign in on this device',
  },
  verify_email: {
    title: 'Confirm your email address',
    ask: 'Confirm that this is your email address.',
    button: 'Confirm',
  },
  password_reset: {
    title: 'Choose a new password',
    ask: 'Choose a new password for your account.',
    button: 'Set password',
  },
};

/**
 * @example return landingPage('magic_link', { autoSubmit: sameBrowser });
 */
export function landingPage(mode: EmailTokenPurpose, options: { autoSubmit: boolean }): HttpResponse {
  const copy = COPY[mode];
  const field =
    mode === 'password_reset'
      ? '<label for="password">New password</label><input id="password" type="password" autocomplete="new-password" required minlength="8">'
      : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${copy.title}</title><style>${STYLE}</style></head>
<body data-mode="${mode}" data-auto="${options.autoSubmit ? '1' : '0'}">
<h1>${copy.title}</h1>
<p id="status">${options.autoSubmit ? 'Signing you in…' : copy.ask}</p>
<form id="form">${field}<button id="go" type="submit">${copy.button}</button></form>
<noscript><p>This page needs JavaScript. You can also enter the code from the mail in the app.</p></noscript>
<script>${SCRIPT}</script>
</body></html>`;
  return { statusCode: 200, html, cacheControl: 'no-store', headers: { 'Referrer-Policy': 'no-referrer' } };
}

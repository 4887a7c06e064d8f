/**
 * A real browser (headless Debian Chromium via playwright-core) goes through the magic link: the app asks for
 * a link, the mail arrives in the dev outbox, the link opens the landing page, which — in the browser that
 * asked — submits by itself under its strict CSP and redirects to the app, which is then signed in (its
 * refresh cookie works and /auth/me answers). In a browser that did not ask, the page asks first (S31).
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { mailsTo, startTestBackend, uniqueEmail } from '../helpers/local-backend.js';
import { launchChromium } from '../helpers/chromium.js';

let backend: LocalBackend;
let app: Server;
let appOrigin: string;
let browser: Browser;

/** The app: a page that, once landed, refreshes with the cookie and shows who it is signed in as. */
const APP_PAGE = (api: string) => `<!doctype html><html><body><p id="who">not signed in</p><script>
if (location.pathname === '/landed') {
  fetch('${api}/auth/refresh', { method: 'POST', credentials: 'include' })
    .then(function (r) { return r.json(); })
    .then(function (t) { return fetch('${api}/auth/me', { headers: { authorization: 'Bearer ' + t.accessToken } }); })
    .then(function (r) { return r.json(); })
    .then(function (me) { document.getElementById('who').textContent = 'signed in as ' + me.email; })
    .catch(function (e) { document.getElementById('who').textContent = 'failed: ' + e; });
}
</script></body></html>`;

beforeAll(async () => {
  app = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(APP_PAGE(backend.url));
  });
  await new Promise<void>((ok) => app.listen(0, '127.0.0.1', () => ok()));
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  backend = await startTestBackend({ ALLOWED_REDIRECT_ORIGINS: appOrigin, CORS_ORIGINS: appOrigin });
  browser = await launchChromium();
  mkdirSync('test-results', { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await backend?.close();
  await new Promise((ok) => app?.close(ok));
});

/** From the app's page, the way a front end would: POST /auth/magic-link with credentials (sets the binding cookie). */
async function requestLinkFrom(page: Page, email: string) {
  await page.goto(`${appOrigin}/`);
  const status = await page.evaluate(
    async ([api, email, redirectTo]) =>
      (
        await fetch(`${api}/auth/magic-link`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, redirectTo }),
        })
      ).status,
    [backend.url, email, `${appOrigin}/landed`] as const,
  );
  expect(status).toBe(202);
  return mailsTo(backend.url, email);
}

function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

describe('Magic link in headless Chromium', () => {
  it('S31, S32: in the browser that asked, the page submits by itself and the app lands signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations = cspViolations(page);
    const email = uniqueEmail('browser');
    const { link } = await requestLinkFrom(page, email);

    await page.goto(link!);
    await page.waitForURL(`${appOrigin}/landed`, { timeout: 15_000 });
    await page.waitForFunction("document.getElementById('who').textContent.startsWith('signed in as')", undefined, {
      timeout: 15_000,
    });

    expect(await page.textContent('#who')).toBe(`signed in as ${email}`);
    expect(violations).toEqual([]);
    await page.screenshot({ path: 'test-results/magic-link-same-browser.png' });
    await context.close();
  });

  it('S31: in another browser the page asks "Sign in on this device?" and submits only after the click', async () => {
    const asking = await browser.newContext();
    const email = uniqueEmail('browser');
    const { link } = await requestLinkFrom(await asking.newPage(), email);
    const other = await browser.newContext();
    const page = await other.newPage();
    const violations = cspViolations(page);

    await page.goto(link!);
    await page.waitForTimeout(500);
    expect(await page.textContent('#status')).toContain('Sign in on this device?');
    expect(page.url()).not.toContain('token='); // the token left the address bar and history
    await page.screenshot({ path: 'test-results/magic-link-other-browser.png' });
    await page.click('#go');
    await page.waitForURL(`${appOrigin}/landed`, { timeout: 15_000 });
    await page.waitForFunction("document.getElementById('who').textContent.startsWith('signed in as')", undefined, {
      timeout: 15_000,
    });

    expect(await page.textContent('#who')).toBe(`signed in as ${email}`);
    expect(violations).toEqual([]);
    await asking.close();
    await other.close();
  });
});

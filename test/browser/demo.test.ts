/**
 * The local demo page in a real browser (headless Chromium): sign up and in through the page, call the protected
 * route, refresh, sign out; two tabs refreshing at once both stay signed in (the typed client's Web Locks).
 * Screenshots of the signed-in state go to test-results/ (not committed).
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { launchChromium } from '../helpers/chromium.js';
import { mailsTo, startTestBackend } from '../helpers/local-backend.js';

// The waitForFunction callbacks run in the page, where `document` exists; Node's type check does not know it.
declare const document: { querySelector(s: string): { textContent: string | null } | null };
declare const navigator: unknown;

let backend: LocalBackend;
let browser: Browser;

beforeAll(async () => {
  // The dev OpenID provider, as `npm start` runs it.
  backend = await startTestBackend({}, { devOidc: true });
  browser = await launchChromium();
  mkdirSync('test-results', { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await backend?.close();
});

const status = (page: Page) => page.locator('#status').textContent();

/** Waits until no tab of this browser holds or waits for the client's refresh lock (Web Locks are per origin). */
async function untilNoRefreshInFlight(page: Page) {
  for (let i = 0; i < 200; i++) {
    const busy = await page.evaluate(async () => {
      const { held = [], pending = [] } = await (
        navigator as {
          locks: { query(): Promise<{ held?: { name: string }[]; pending?: { name: string }[] }> };
        }
      ).locks.query();
      return [...held, ...pending].some((l) => l.name === 'auth-refresh');
    });
    if (!busy) return;
    await page.waitForTimeout(50);
  }
  throw new Error('refreshes still in flight after 10 s');
}

async function signUpThroughPage(page: Page) {
  const email = `demo.${randomBytes(4).toString('hex')}@example.com`;
  await page.goto(`${backend.url}/`);
  await page.fill('#email', email);
  await page.fill('#password', 'correct horse battery staple demo');
  await page.click('#signup');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Signed in'));
  return email;
}

describe('Browser: the local demo page', () => {
  it('S40: signs up, shows the claims, calls /auth/me, refreshes and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = await signUpThroughPage(page);
    expect(await status(page)).toContain(email);
    expect(await page.locator('#claims').textContent()).toContain(email);
    expect(await page.locator('#jwks').textContent()).toMatch(/ES256/);
    const cookies = await context.cookies(`${backend.url}/auth`);
    const refresh = cookies.find((c) => c.name === '__Secure-refresh_token')!;
    expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth' });

    await page.click('#me');
    await page.waitForFunction(() => document.querySelector('#output')?.textContent?.includes('"sub"'));
    expect(await page.locator('#output').textContent()).toContain(email);
    await page.screenshot({ path: 'test-results/demo-signed-in.png', fullPage: true });

    await page.click('#refresh');
    await page.waitForFunction(() => document.querySelector('#output')?.textContent?.startsWith('Refreshed'));
    const rotated = (await context.cookies(`${backend.url}/auth`)).find((c) => c.name === '__Secure-refresh_token')!;
    expect(rotated.value).not.toBe(refresh.value);

    await page.click('#signout');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Signed out.');
    expect(
      (await context.cookies(`${backend.url}/auth`)).find((c) => c.name === '__Secure-refresh_token'),
    ).toBeUndefined();
    await context.close();
  });

  it('a reload keeps the session through the refresh cookie; a wrong password shows the error code', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = await signUpThroughPage(page);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Signed in'));
    await page.click('#signout');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Signed out.');
    await page.fill('#email', email);
    await page.fill('#password', 'a wrong password, long enough');
    await page.click('#signin');
    await page.waitForFunction(() => document.querySelector('#output')?.textContent?.includes('invalid_credentials'));
    await context.close();
  });

  it('S23/S25: two tabs refreshing at the same moment both stay signed in (no reuse detected)', async () => {
    const context = await browser.newContext();
    const tab1 = await context.newPage();
    await signUpThroughPage(tab1);
    const tab2 = await context.newPage();
    await tab2.goto(`${backend.url}/`);
    await tab2.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Signed in'));
    // Both tabs refresh at once, many times over: each presentation must use the then-current cookie.
    for (let i = 0; i < 5; i++) await Promise.all([tab1.click('#refresh'), tab2.click('#refresh')]);
    for (const tab of [tab1, tab2]) {
      await tab.waitForFunction(() => document.querySelector('#output')?.textContent?.startsWith('Refreshed'));
    }
    // Let every queued refresh finish before navigating: a reload that aborts a refresh in flight can lose the
    // rotated cookie the server already issued (see REFRESH_REUSE_GRACE_SECONDS in the README).
    await untilNoRefreshInFlight(tab1);
    for (const tab of [tab1, tab2]) expect(await tab.locator('#output').textContent()).toMatch(/^Refreshed/);
    await tab1.reload();
    await tab1.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Signed in'));
    await tab1.click('#me');
    await tab1.waitForFunction(() => document.querySelector('#output')?.textContent?.includes('"sub"'));
    await tab1.screenshot({ path: 'test-results/demo-two-tabs.png' });
    await context.close();
  });

  it('S31: a magic link requested from the page, opened from the dev outbox in the same browser, signs in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `magic.${randomBytes(4).toString('hex')}@example.com`;
    await page.goto(`${backend.url}/`);
    await page.fill('#magic-email', email);
    await page.click('#magic');
    await page.waitForFunction(() => document.querySelector('#output')?.textContent?.includes('dev outbox'));
    const { link } = await mailsTo(backend.url, email);
    await page.goto(link!);
    await page.waitForURL(`${backend.url}/`, { timeout: 15_000 });
    await page.waitForFunction(
      () => document.querySelector('#status')?.textContent?.startsWith('Signed in'),
      undefined,
      { timeout: 15_000 },
    );
    expect(await status(page)).toContain(email);
    await context.close();
  });

  it('S34: "Sign in with the dev provider" goes through the local OpenID provider and comes back signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `social.${randomBytes(4).toString('hex')}@example.com`;
    await page.goto(`${backend.url}/`);
    await page.click('#oauth-dev');
    await page.waitForURL((u) => u.origin === backend.devOidcIssuer);
    await page.fill('input[name=email]', email);
    await Promise.all([page.waitForURL(`${backend.url}/`), page.click('button[type=submit]:not([name=deny])')]);
    await page.waitForFunction(
      () => document.querySelector('#status')?.textContent?.startsWith('Signed in'),
      undefined,
      { timeout: 15_000 },
    );
    expect(await status(page)).toContain(email);
    await page.screenshot({ path: 'test-results/demo-social-signed-in.png' });
    await context.close();
  });
});

/**
 * Passkeys on the demo page in headless Chromium with the DevTools virtual authenticator (ctap2, internal, resident
 * keys, user verification) against the local runner, at `http://localhost:PORT` (RP ID `localhost`): register a
 * passkey, sign out, sign in with the passkey button, use it as second factor, remove it — and an authenticator
 * without user verification, which is refused (S68).
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestBackend } from '../helpers/local-backend.js';

declare const document: { querySelector(s: string): { textContent: string | null } | null };

let backend: LocalBackend;
let browser: Browser;
let home: string;

beforeAll(async () => {
  backend = await startTestBackend();
  browser = await launchChromium();
  home = `http://localhost:${backend.port}/`;
});
afterAll(async () => {
  await browser?.close();
  await backend?.close();
});

const PASSWORD = 'correct horse battery staple passkey';

async function withAuthenticator(context: BrowserContext, page: Page, userVerification: boolean) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: userVerification,
      isUserVerified: userVerification,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

const statusStarts = (page: Page, prefix: string) =>
  page.waitForFunction((p) => document.querySelector('#status')?.textContent?.startsWith(p), prefix);
const outputHas = (page: Page, text: string) =>
  page.waitForFunction((t) => document.querySelector('#output')?.textContent?.includes(t), text);

async function signUp(page: Page) {
  const email = `passkey.${randomBytes(4).toString('hex')}@example.com`;
  await page.goto(home);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('#signup');
  await statusStarts(page, 'Signed in');
  return email;
}

async function signOut(page: Page) {
  await page.click('#signout');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Signed out.');
}

describe('Browser: passkeys on the demo page (virtual authenticator)', () => {
  it('S67 S68 S72: registers a passkey, signs in with it (amr pop + mfa), uses it as second factor, removes it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { cdp, authenticatorId } = await withAuthenticator(context, page, true);
    const email = await signUp(page);

    await page.fill('#passkey-name', 'Virtual key');
    await page.click('#passkey-add');
    await outputHas(page, 'Passkey added: Virtual key.');
    await page.locator('#passkey-list li').first().waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].isResidentCredential).toBe(true);

    await signOut(page);
    await page.click('#passkey-signin');
    await statusStarts(page, 'Signed in');
    await outputHas(page, 'Signed in with a passkey.');
    expect(await page.locator('#claims').textContent()).toMatch(/"amr": \[\s*"pop",\s*"mfa"\s*\]/);

    // The password alone is not enough any more: the passkey finishes the sign-in as second factor.
    await signOut(page);
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('#signin');
    await page.locator('#mfa-passkey').waitFor({ state: 'visible' });
    await page.click('#mfa-passkey');
    await outputHas(page, 'Signed in with a passkey as second factor.');
    expect(await page.locator('#claims').textContent()).toMatch(/"amr": \[\s*"pwd",\s*"mfa"\s*\]/);

    // This session passed a second factor just now: removing the last factor is allowed.
    await page.locator('#passkey-list li button').first().click();
    await outputHas(page, 'Passkey removed.');
    expect(await page.locator('#passkey-list li').count()).toBe(0);
    await signOut(page);
    await page.click('#passkey-signin');
    await outputHas(page, 'invalid_passkey');
    await context.close();
  });

  it('S68: an authenticator without user verification cannot register a passkey', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { cdp, authenticatorId } = await withAuthenticator(context, page, false);
    await signUp(page);
    await page.click('#passkey-add');
    // The browser refuses to create a credential that cannot be user-verified (userVerification: "required").
    await page.waitForFunction(() => {
      const t = document.querySelector('#output')?.textContent ?? '';
      return t !== '' && t !== '—' && !t.includes('Passkey added');
    });
    expect(await page.locator('#output').textContent()).not.toContain('Passkey added');
    const listed = await page.evaluate(async () => {
      const r = await fetch('/auth/passkeys/authenticate/options', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return r.status;
    });
    expect(listed).toBe(200);
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(0);
    await context.close();
  });
});

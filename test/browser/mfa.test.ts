/**
 * The demo page's second factor in headless Chromium against the local runner (S62, S64): set up an authenticator
 * app from the QR code, see the recovery codes once, sign out, sign in with the password, get the code prompt, sign
 * in with a TOTP code computed from the enrolment secret — and later with a recovery code.
 */
import { randomBytes } from 'node:crypto';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestBackend } from '../helpers/local-backend.js';

// The waitForFunction callbacks run in the page, where `document` exists; Node's type check does not know it.
declare const document: { querySelector(s: string): { textContent: string | null } | null };

let backend: LocalBackend;
let browser: Browser;

beforeAll(async () => {
  backend = await startTestBackend();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await backend?.close();
});

const PASSWORD = 'correct horse battery staple mfa';

/**
 * The code for `steps` periods from now. The server accepts ±1 step and refuses a step it already accepted (replay),
 * so each use in this test takes the next step up rather than waiting 30 s for a fresh one.
 */
const totp = (secret: string, steps: number) =>
  generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(Date.now() / 30_000) + steps), 6);

const statusStarts = (page: Page, prefix: string) =>
  page.waitForFunction((p) => document.querySelector('#status')?.textContent?.startsWith(p), prefix);
const outputHas = (page: Page, text: string) =>
  page.waitForFunction((t) => document.querySelector('#output')?.textContent?.includes(t), text);

async function signOut(page: Page) {
  await page.click('#signout');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Signed out.');
}

async function signInWithPassword(page: Page, email: string) {
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('#signin');
  // S64: the password alone does not sign in: the page asks for the second factor.
  await page.locator('#mfa-verify-form').waitFor({ state: 'visible' });
  expect(await page.locator('#status').textContent()).toBe('Signed out.');
}

describe('Browser: second factor on the demo page', () => {
  it('S62 S64: enrols from a QR code, shows recovery codes once, then signs in with password + code', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `mfa.${randomBytes(4).toString('hex')}@example.com`;
    await page.goto(`${backend.url}/`);
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('#signup');
    await statusStarts(page, 'Signed in');

    // Enrol: the QR code is an SVG in the page, next to the key for manual entry.
    await page.click('#mfa-enrol');
    await page.locator('#qr svg').waitFor({ state: 'visible' });
    expect(await page.locator('#qr svg path').count()).toBeGreaterThan(0);
    const secret = (await page.locator('#totp-secret').textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
    await page.fill('#mfa-confirm-code', totp(secret, 0));
    await page.click('#mfa-confirm');

    // Confirmed: a new session whose token says mfa, and ten recovery codes on screen.
    await page.locator('#recovery').waitFor({ state: 'visible' });
    const codes = await page.locator('#recovery-codes li').allTextContents();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(await page.locator('#claims').textContent()).toContain('"mfa"');
    expect(await page.locator('#mfa-enrolment').isVisible()).toBe(false);

    // Shown once: "saved" removes them from the page, and nothing brings them back.
    await page.click('#recovery-done');
    expect(await page.locator('#recovery').isVisible()).toBe(false);
    expect(await page.locator('#recovery-codes li').count()).toBe(0);
    await signOut(page);
    await page.reload();
    expect(await page.locator('#recovery-codes li').count()).toBe(0);
    expect(await page.content()).not.toContain(codes[0]);

    // Password → code prompt; a wrong code is refused with its code, the right one signs in with mfa.
    await signInWithPassword(page, email);
    await page.fill('#mfa-code', totp(secret, 0) === '000000' ? '111111' : '000000');
    await page.click('#mfa-verify');
    await outputHas(page, 'invalid_code');
    expect(await page.locator('#status').textContent()).toBe('Signed out.');
    await page.fill('#mfa-code', totp(secret, 1));
    await page.click('#mfa-verify');
    await statusStarts(page, 'Signed in');
    expect(await page.locator('#status').textContent()).toContain(email);
    expect(await page.locator('#claims').textContent()).toContain('"mfa"');
    expect(await page.locator('#mfa-verify-form').isVisible()).toBe(false);
    await page.click('#me');
    await outputHas(page, '"amr"');
    expect(await page.locator('#output').textContent()).toContain('mfa');

    // A saved recovery code finishes a sign-in too, once.
    await signOut(page);
    await signInWithPassword(page, email);
    await page.check('#mfa-use-recovery');
    await page.fill('#mfa-code', codes[3]);
    await page.click('#mfa-verify');
    await statusStarts(page, 'Signed in');
    await signOut(page);
    await signInWithPassword(page, email);
    await page.check('#mfa-use-recovery');
    await page.fill('#mfa-code', codes[3]);
    await page.click('#mfa-verify');
    await outputHas(page, 'invalid_code');
    expect(await page.locator('#status').textContent()).toBe('Signed out.');
    await context.close();
  }, 120_000);
});

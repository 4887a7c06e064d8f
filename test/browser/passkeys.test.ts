/**
 * Passkeys on the demo page in headless Chromium with the DevTools virtual authenticator (ctap2, internal, resident
 * keys, user verification) against the local runner, at `http://localhost:PORT` (RP ID `localhost`): register a
 * passkey, sign out, sign in with the passkey button or through the autofill (conditional mediation) request the page
 * starts on load, use it as second factor, remove it — and an authenticator without user verification, which is
 * refused (S68).
 *
 * Conditional UI under automation (test/README.md › Passkeys in Chromium): with the WebAuthn UI off (`WebAuthn.enable`
 * without `enableUI`, the default, which the protocol recommends for automated testing) Chromium hands a conditional
 * request straight to the virtual authenticator, which answers with its first credential for the RP: the path the
 * page takes when the user picks the passkey from the autofill list. With the UI on, the request waits for that pick,
 * which nothing in headless Chromium can make (no CDP command selects a passkey suggestion); that mode proves the
 * request waits and that the button aborts it without an error on the page.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestBackend } from '../helpers/local-backend.js';

declare const document: { querySelector(s: string): { textContent: string | null } | null };
interface GetCall {
  mediation: string;
  outcome: string;
}
declare const window: { __webauthnGets: GetCall[] };
declare const navigator: { credentials: { get(o?: { mediation?: string }): Promise<unknown> } };
declare const PublicKeyCredential: { isConditionalMediationAvailable(): Promise<boolean> };

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

async function withAuthenticator(context: BrowserContext, page: Page, userVerification: boolean, enableUI = false) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI });
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

/** Records each `navigator.credentials.get` the page makes: its mediation and how it ended (test-side only). */
async function recordGets(page: Page) {
  await page.addInitScript(() => {
    const calls: GetCall[] = [];
    window.__webauthnGets = calls;
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options) => {
      const call = { mediation: options?.mediation ?? 'optional', outcome: 'pending' };
      calls.push(call);
      const answer = get(options);
      answer.then(
        () => (call.outcome = 'credential'),
        (e: Error) => (call.outcome = e.name),
      );
      return answer;
    };
  });
}
const gets = (page: Page) => page.evaluate(() => window.__webauthnGets.map((c) => ({ ...c })));

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

  it('S67 S68: signs in through the autofill (conditional mediation) request the page starts on load', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { cdp, authenticatorId } = await withAuthenticator(context, page, true);
    await recordGets(page);
    const email = await signUp(page);
    expect(await page.getAttribute('#email', 'autocomplete')).toBe('username webauthn');
    expect(await page.evaluate(() => PublicKeyCredential.isConditionalMediationAvailable())).toBe(true);
    await page.click('#passkey-add');
    await outputHas(page, 'Passkey added');
    await signOut(page);

    // Coming back to the page: nothing is clicked, the conditional request started on load signs in.
    await page.goto(home);
    await outputHas(page, 'Signed in with a passkey from the autofill prompt.');
    await statusStarts(page, `Signed in as ${email}`);
    expect(await page.locator('#claims').textContent()).toMatch(/"amr": \[\s*"pop",\s*"mfa"\s*\]/);
    expect(await gets(page)).toEqual([{ mediation: 'conditional', outcome: 'credential' }]);
    const [credential] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    expect(credential.signCount).toBeGreaterThan(0);
    await page.click('#me');
    await outputHas(page, `"email": "${email}"`);
    await context.close();
  });

  it('S67: with the WebAuthn UI on, the conditional request waits for a pick; the button aborts it and no error shows', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { cdp, authenticatorId } = await withAuthenticator(context, page, true, true);
    await recordGets(page);
    // A passkey for this RP already on the authenticator (with the UI on, a page registration waits on a dialog).
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: {
        credentialId: randomBytes(16).toString('base64'),
        isResidentCredential: true,
        rpId: 'localhost',
        privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
        userHandle: randomBytes(16).toString('base64'),
        signCount: 0,
      },
    });
    await page.goto(home);
    await page.waitForFunction(() => window.__webauthnGets.length === 1);
    await page.focus('#email');
    // The page's own first refresh has answered (no session): what is left running is the conditional request.
    await page.locator('#jwks').filter({ hasNotText: '—' }).waitFor();
    expect(await gets(page)).toEqual([{ mediation: 'conditional', outcome: 'pending' }]);
    expect(await page.locator('#status').textContent()).toBe('Signed out.');

    await page.click('#passkey-signin');
    await page.waitForFunction(() => window.__webauthnGets[0].outcome !== 'pending');
    expect(await gets(page)).toEqual([
      { mediation: 'conditional', outcome: 'AbortError' },
      { mediation: 'optional', outcome: 'pending' },
    ]);
    expect(await page.locator('#output').textContent()).toBe('—');
    const [credential] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    expect(credential.signCount).toBe(0);
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

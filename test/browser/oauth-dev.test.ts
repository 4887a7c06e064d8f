/**
 * Social sign-in in a real browser (headless Chromium): our authorize endpoint → the local OpenID provider's login
 * page (infra/local/dev-oidc.ts, as `npm start` runs it) → back to the app, signed in: the refresh cookie is set and
 * a POST /auth/refresh from the page's own origin succeeds.
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBackend } from '../../infra/local/start.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestBackend } from '../helpers/local-backend.js';

// The waitForFunction callback runs in the page, where `document` exists; Node's type check does not know it.
declare const document: { querySelector(s: string): { textContent: string | null } | null };

let backend: LocalBackend;
let browser: Browser;

beforeAll(async () => {
  // The dev OpenID provider, as `npm start` runs it.
  backend = await startTestBackend({}, { devOidc: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await backend?.close();
});

describe('Browser: social sign-in with the dev provider', () => {
  it('S34 S40: authorize → provider login → back to redirectTo, signed in (refresh cookie works from the page)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `browser.${randomBytes(4).toString('hex')}@example.com`;
    const home = `${backend.url}/`;

    await page.goto(`${backend.url}/auth/oauth/dev/authorize?redirectTo=${encodeURIComponent(home)}`);
    expect(new URL(page.url()).origin).toBe(backend.devOidcIssuer);
    await page.fill('input[name=email]', email);
    await Promise.all([
      page.waitForURL((u) => u.toString().startsWith(home)),
      page.click('button[type=submit]:not([name=deny])'),
    ]);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/oauth-dev-signed-in.png' });
    expect(page.url()).toBe(home);
    const cookies = await context.cookies(backend.url + '/auth');
    const refresh = cookies.find((c) => c.name === '__Secure-refresh_token');
    expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth' });
    expect(cookies.find((c) => c.name === '__Host-oauth_tx')).toBeUndefined();

    // The page itself tries the refresh cookie once on load (a session coming back from a social sign-in): let it
    // finish first, or two refreshes race and the slower one presents the cookie the faster one just rotated.
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('Signed in'));
    const result = await page.evaluate(async () => {
      const r = await fetch('/auth/refresh', { method: 'POST', credentials: 'include' });
      return { status: r.status, body: (await r.json()) as { accessToken?: string } };
    });
    expect(result.status).toBe(200);
    expect(decodeJwt(result.body.accessToken!)).toMatchObject({ email, iss: backend.url });
    await context.close();
  });
});

/**
 * Drives a social sign-in over HTTP the way a browser would — our authorize endpoint, the local OpenID provider's
 * login form (infra/local/dev-oidc.ts), its redirects — and stops at the callback URL, so each test decides how
 * (and with which cookies) the callback is delivered.
 */
import { expect } from 'vitest';

/** A minimal cookie jar keyed by host (ports ignored, as browsers do); enough for these flows. */
export class CookieJar {
  private readonly cookies = new Map<string, Map<string, string>>();

  store(url: string, setCookies: string[]): void {
    const host = new URL(url).hostname;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
    this.cookies.set(host, jar);
  }

  header(url: string): string | undefined {
    const jar = this.cookies.get(new URL(url).hostname);
    return jar && jar.size ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }

  get(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).hostname)?.get(name);
  }

  delete(url: string, name: string): void {
    this.cookies.get(new URL(url).hostname)?.delete(name);
  }
}

export interface Hop {
  status: number;
  location?: string;
  text: string;
  headers: Headers;
}

export async function request(
  jar: CookieJar,
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Hop> {
  const cookie = jar.header(url);
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    body: init.body,
    headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
    redirect: 'manual',
  });
  jar.store(url, res.headers.getSetCookie());
  const location = res.headers.get('location') ?? undefined;
  return {
    status: res.status,
    location: location && new URL(location, url).toString(),
    text: await res.text(),
    headers: res.headers,
  };
}

export interface LoginAs {
  email: string;
  emailVerified?: boolean;
  /** The provider-side subject; by default stable per email. */
  sub?: string;
  /** Press "Cancel" on the provider's page (it answers access_denied). */
  deny?: boolean;
}

/** authorize → provider → login form → back: returns the callback URL the provider sent the browser to (not yet followed). */
export async function signInAtProvider(
  jar: CookieJar,
  backendUrl: string,
  options: { provider?: string; redirectTo: string; as: LoginAs },
): Promise<{ authorizeLocation: string; callbackUrl: string }> {
  const start = await request(
    jar,
    `${backendUrl}/auth/oauth/${options.provider ?? 'dev'}/authorize?redirectTo=${encodeURIComponent(options.redirectTo)}`,
  );
  expect(start.status).toBe(302);
  const authorizeLocation = start.location!;
  let hop = await request(jar, authorizeLocation);
  for (let i = 0; i < 5 && hop.location && !hop.location.startsWith(backendUrl); i++) {
    if (/\/interaction\/[^/]+$/.test(hop.location)) {
      const page = await request(jar, hop.location);
      expect(page.status).toBe(200);
      const form = new URLSearchParams({
        email: options.as.email,
        email_verified: String(options.as.emailVerified ?? true),
      });
      if (options.as.sub) form.set('sub', options.as.sub);
      if (options.as.deny) form.set('deny', 'true');
      hop = await request(jar, hop.location, {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    } else {
      hop = await request(jar, hop.location);
    }
  }
  expect(
    hop.location,
    `provider did not send the browser back (status ${hop.status}: ${hop.text.slice(0, 200)})`,
  ).toMatch(/\/callback\?/);
  return { authorizeLocation, callbackUrl: hop.location! };
}

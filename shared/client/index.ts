/**
 * A typed client for this backend, for browser SPAs and native apps. No framework dependency; `fetch` only.
 *
 * - The access token lives in memory only. Browsers keep the refresh token in the HttpOnly cookie; native apps
 *   pass a `refreshStore` (e.g. the Keychain/Keystore) and get the refresh token in the body.
 * - Refresh is single-flight: concurrent callers share one request, and across tabs of one browser the refresh is
 *   serialised with the Web Locks API, so one refresh token is never presented twice (which the server treats as
 *   theft and answers by revoking the session).
 * - `fetch()` attaches the bearer token, refreshes shortly before expiry, and on a 401 refreshes once and retries
 *   the request once — never in a loop.
 *
 * @example
 * const auth = createAuthClient({ baseUrl: 'https://auth.example.com' });
 * await auth.signIn('alice@example.com', 'correct horse battery staple');
 * const res = await auth.fetch('https://api.example.com/orders');
 *
 * A first factor resolves to an `MfaChallenge` instead of a session when the account has a second factor:
 * @example
 * const result = await auth.signIn(email, password);
 * if (isMfaChallenge(result)) await auth.verifyMfa({ mfaToken: result.mfaToken, method: 'totp', code });
 */
import { mfaMethods, readChallenge, type MfaChallenge } from './mfa.js';
import { passkeyMethods } from './passkeys.js';

export { isMfaChallenge } from './mfa.js';
export type { Passkey } from './passkeys.js';
export type { MfaChallenge, MfaFactor, MfaMethod, MfaVerification, TotpEnrollment } from './mfa.js';

export interface RefreshStore {
  get(): Promise<string | undefined> | string | undefined;
  set(token: string | undefined): Promise<void> | void;
}

export interface AuthClientOptions {
  /** The backend's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  baseUrl: string;
  /** Native apps: where the refresh token is kept. Omit in browsers (the HttpOnly cookie is used). */
  refreshStore?: RefreshStore;
  /** Seconds before expiry at which a token is refreshed proactively. @default 30 */
  refreshLeewaySeconds?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Name of the cross-tab lock. @default 'auth-refresh' */
  lockName?: string;
  /** @default Date.now */
  now?: () => number;
}

export interface Session {
  accessToken: string;
  expiresAt: number;
}

/** An error the server answered with its stable `error` code (`invalid_credentials`, `token_reused`, …). */
export class AuthClientError extends Error {
  override readonly name = 'AuthClientError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

interface TokenBody {
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export function createAuthClient(options: AuthClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const now = options.now ?? Date.now;
  const leeway = (options.refreshLeewaySeconds ?? 30) * 1000;
  const native = options.refreshStore !== undefined;
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;

  let session: Session | undefined;
  let inflight: Promise<Session | undefined> | undefined;
  const listeners = new Set<(s: Session | undefined) => void>();

  const setSession = (s: Session | undefined) => {
    session = s;
    for (const l of listeners) l(s);
  };

  async function call(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    if (native) headers.set('x-token-delivery', 'body');
    return doFetch(`${base}${path}`, { ...init, headers, body, credentials: 'include' });
  }

  async function fail(res: Response): Promise<never> {
    let code = 'http_error';
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { error?: string; message?: string };
      code = body.error ?? code;
      message = body.message ?? message;
    } catch {
      /* not JSON (e.g. an API Gateway error) */
    }
    const retryAfter = Number(res.headers.get('retry-after')) || undefined;
    throw new AuthClientError(code, message, res.status, retryAfter);
  }

  async function acceptTokens(res: Response): Promise<Session> {
    if (!res.ok) return fail(res);
    return acceptBody((await res.json()) as TokenBody);
  }

  async function acceptBody(body: TokenBody): Promise<Session> {
    if (native && body.refreshToken) await options.refreshStore!.set(body.refreshToken);
    const s = { accessToken: body.accessToken, expiresAt: now() + body.expiresIn * 1000 };
    setSession(s);
    return s;
  }

  /** The one refresh request; callers share it (single flight), tabs take turns (Web Locks). */
  function refresh(): Promise<Session | undefined> {
    inflight ??= (async () => {
      const before = session;
      const run = async () => {
        // Another tab may have refreshed while this one waited for the lock: the cookie it holds is new, so one
        // more refresh is safe — but a session already refreshed in this tab needs none.
        if (session && session !== before && session.expiresAt - leeway > now()) return session;
        const stored = native ? await options.refreshStore!.get() : undefined;
        if (native && !stored) {
          setSession(undefined);
          return undefined;
        }
        const res = await call('/auth/refresh', {
          method: 'POST',
          ...(native ? { json: { refreshToken: stored } } : {}),
        });
        if (res.status === 401) {
          if (native) await options.refreshStore!.set(undefined);
          setSession(undefined);
          return fail(res);
        }
        return acceptTokens(res);
      };
      return locks ? locks.request(options.lockName ?? 'auth-refresh', run) : run();
    })().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  async function getAccessToken(): Promise<string | undefined> {
    if (session && session.expiresAt - leeway > now()) return session.accessToken;
    try {
      return (await refresh())?.accessToken;
    } catch (e) {
      if (e instanceof AuthClientError && e.status === 401) return undefined;
      throw e;
    }
  }

  /** A first factor's answer: a session, or the challenge the second step needs (never thrown: it is not a failure). */
  async function firstFactor(res: Response): Promise<Session | MfaChallenge> {
    return (await readChallenge(res, now())) ?? acceptTokens(res);
  }

  async function bearer(challenge?: MfaChallenge): Promise<string> {
    if (challenge) return `Bearer ${challenge.mfaToken}`;
    const token = await getAccessToken();
    if (!token) throw new AuthClientError('unauthorized', 'Sign in first.', 401);
    return `Bearer ${token}`;
  }

  return {
    ...mfaMethods<Session>({ call, fail, accept: acceptBody, bearer }),
    ...passkeyMethods<Session>({ call, fail, accept: acceptBody, bearer }),

    /** Current session, if signed in (access token in memory only). */
    get session(): Session | undefined {
      return session;
    },

    /** Called on every sign-in, refresh and sign-out. Returns an unsubscribe function. */
    onChange(listener: (s: Session | undefined) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async signUp(email: string, password: string): Promise<Session | MfaChallenge> {
      return firstFactor(await call('/auth/signup', { method: 'POST', json: { email, password } }));
    },

    async signIn(email: string, password: string): Promise<Session | MfaChallenge> {
      return firstFactor(await call('/auth/login', { method: 'POST', json: { email, password } }));
    },

    /** Mails a sign-in link (and code). The answer is the same whether or not the address has an account. */
    async requestMagicLink(email: string, redirectTo?: string): Promise<void> {
      const res = await call('/auth/magic-link', { method: 'POST', json: { email, redirectTo } });
      if (!res.ok) await fail(res);
    },

    /** Redeems a link token, or an email + code typed on another device. */
    async verifyMagicLink(input: { token: string } | { email: string; code: string }): Promise<Session | MfaChallenge> {
      return firstFactor(await call('/auth/magic-link/verify', { method: 'POST', json: input }));
    },

    /** The URL that starts social sign-in; browsers navigate to it (`location.assign(url)`). */
    startOAuth(provider: string, redirectTo: string): string {
      return `${base}/auth/oauth/${encodeURIComponent(provider)}/authorize?redirectTo=${encodeURIComponent(redirectTo)}`;
    },

    /** A valid access token, refreshed first when it is missing or about to expire; undefined when signed out. */
    getAccessToken,

    /** Forces a refresh (single flight). Resolves to undefined when there is no session to refresh. */
    refresh,

    /** `fetch` with the bearer token; on a 401 it refreshes once and retries once. */
    async fetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
      const send = async (token: string | undefined) => {
        const headers = new Headers(init.headers);
        if (token) headers.set('authorization', `Bearer ${token}`);
        return doFetch(input, { ...init, headers });
      };
      const token = await getAccessToken();
      const first = await send(token);
      if (first.status !== 401 || !token) return first;
      const renewed = await refresh().catch(() => undefined);
      return renewed ? send(renewed.accessToken) : first;
    },

    /** Ends this session on the server and forgets it here. */
    async signOut(): Promise<void> {
      const stored = native ? await options.refreshStore!.get() : undefined;
      await call('/auth/logout', { method: 'POST', ...(stored ? { json: { refreshToken: stored } } : {}) }).catch(
        () => undefined,
      );
      if (native) await options.refreshStore!.set(undefined);
      setSession(undefined);
    },

    /** Ends every session of this user (all devices). */
    async signOutEverywhere(): Promise<void> {
      const token = await getAccessToken();
      if (token) {
        const res = await call('/auth/logout-all', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
        if (!res.ok && res.status !== 401) await fail(res);
      }
      if (native) await options.refreshStore!.set(undefined);
      setSession(undefined);
    },
  };
}

export type AuthClient = ReturnType<typeof createAuthClient>;

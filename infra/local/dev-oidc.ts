/**
 * A real OpenID provider on loopback (npm `oidc-provider`, in-process) for `npm start` and the tests: social
 * sign-in works offline against the same protocol code (oauth4webapi) the deployed functions use.
 *
 * Its login page accepts any email (and, for the tests, an explicit subject and "email verified" flag); login
 * and consent are one step. Local development only: never deployed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Configuration, default as Provider } from 'oidc-provider';

/** An interaction parameter as a string; oidc-provider types them `unknown`. */
const paramOf = (params: Record<string, unknown>, name: string): string => {
  const value = params[name];
  return typeof value === 'string' ? value : '';
};

export interface DevOidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface DevOidcOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /**
   * The registered clients. A function, read on the first request: the issuer URL is known (and can be handed
   * to the relying party) before the relying party's own callback URL is.
   */
  clients: () => DevOidcClient[];
  /**
   * false: profile claims (email) go into the ID token too. true (oidc-provider's default, OIDC Core 5.4): they are
   * only in UserInfo.
   * @default false
   */
  conformIdTokenClaims?: boolean;
  /**
   * Serve https with this key and certificate (PEM): a deployed stack accepts https issuers only, so the rehearsal
   * of the synthesized bundles (test/deployed) needs one. @default - http
   */
  tls?: { key: string; cert: string };
  /** Test hook: rewrites the token endpoint's JSON response (e.g. to re-sign a tampered ID token). */
  tokenResponseHook?: (body: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

export interface DevOidc {
  issuer: string;
  /** The provider's signing key (private JWK): tests re-sign tampered ID tokens with it. */
  signingKey: JWK;
  close(): Promise<void>;
}

interface Account {
  email: string;
  emailVerified: boolean;
}

export async function startDevOidc(options: DevOidcOptions): Promise<DevOidc> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: `dev-${randomBytes(4).toString('hex')}`,
    alg: 'RS256',
    use: 'sig',
  };
  const accounts = new Map<string, Account>();
  const OidcProvider = await importOidcProvider();
  let provider: Provider | undefined;

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('dev OpenID provider error');
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const issuer = `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  const build = (): Provider => {
    const configuration: Configuration = {
      clients: options.clients().map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      })),
      jwks: { keys: [signingKey] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      conformIdTokenClaims: options.conformIdTokenClaims ?? false,
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, id) => {
        const account = accounts.get(id);
        if (!account) return Promise.resolve(undefined);
        return Promise.resolve({
          accountId: id,
          claims: () => Promise.resolve({ sub: id, email: account.email, email_verified: account.emailVerified }),
        });
      },
    };
    const p = new OidcProvider(issuer, configuration);
    const hook = options.tokenResponseHook;
    if (hook) {
      p.use(async (ctx, next) => {
        await next();
        if (ctx.path === '/token' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
          ctx.body = await hook(ctx.body as Record<string, unknown>);
        }
      });
    }
    return p;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    provider ??= build();
    const url = new URL(req.url ?? '/', issuer);
    const match = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (!match) return provider.callback()(req, res);
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(loginPage(details.uid, paramOf(details.params, 'client_id')));
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (form.get('deny') === 'true') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user cancelled.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const email = (form.get('email') ?? '').trim();
    if (!email) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('email is required');
      return;
    }
    // The subject is stable per email (so a second sign-in is the same identity) unless the tests pick one.
    const accountId =
      form.get('sub') || `dev-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 24)}`;
    accounts.set(accountId, { email, emailVerified: form.get('email_verified') !== 'false' });
    const grant = new provider.Grant({ accountId, clientId: paramOf(details.params, 'client_id') });
    grant.addOIDCScope(paramOf(details.params, 'scope') || 'openid');
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  return {
    issuer,
    signingKey,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, clientId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dev OpenID provider: sign in</title></head>
<body>
<h1>Dev OpenID provider</h1>
<p>Local development only. Sign in to <code>${escapeHtml(clientId)}</code> as any email address.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
  <label>Email <input type="email" name="email" required autofocus></label>
  <label><input type="checkbox" name="email_verified" value="true" checked> email verified</label>
  <input type="hidden" name="email_verified" value="false">
  <button type="submit">Sign in</button>
  <button type="submit" name="deny" value="true" formnovalidate>Cancel</button>
</form>
</body></html>`;
}

const UNSUPPORTED_RUNTIME = 'oidc-provider WARNING: Unsupported runtime';
let oidcProviderModule: Promise<typeof Provider> | undefined;

/**
 * oidc-provider prints "Unsupported runtime" through `console.warn` while its entry module evaluates on Node < 22
 * (it has no switch for it). These machines run Node 20 and Lambda never runs this module (infra/local/node-support.ts),
 * so that one message is dropped while the module loads; every other warning of the package still shows.
 */
function importOidcProvider(): Promise<typeof Provider> {
  return (oidcProviderModule ??= (async () => {
    const warn = console.warn;
    const filtered = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes(UNSUPPORTED_RUNTIME)) return;
      warn.apply(console, args);
    };
    console.warn = filtered;
    try {
      return (await import('oidc-provider')).default;
    } finally {
      if (console.warn === filtered) console.warn = warn;
    }
  })());
}

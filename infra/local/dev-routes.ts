/**
 * What only the local runner serves, never deployed: the dev mail outbox, the OpenAPI document and the local
 * OpenID provider registered as OAuth provider `dev`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SesStandIn } from './aws/ses.js';
import { startDevOidc, type DevOidc } from './dev-oidc.js';

type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export function devRoutes(mail: SesStandIn): Record<string, ExtraRoute> {
  return {
    // The API description, generated from the same route table and schemas.
    'GET /openapi.json': async (_req, res) => {
      const { buildOpenApi } = await import('../openapi/document.js');
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(buildOpenApi()));
    },
    // Never in ROUTES: the mails the functions sent through the SES stand-in, newest last.
    'GET /_dev/outbox': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(
        JSON.stringify(
          mail.mails().map(({ to, subject, text, html, sentAt }) => ({ to, subject, text, html, sentAt })),
        ),
      );
    },
  };
}

/** The local OpenID provider as provider `dev`: a fresh client secret per start, http allowed (loopback only). */
export async function startDevProvider(url: string): Promise<DevOidc & { env: Record<string, string> }> {
  const client = {
    clientId: 'local-dev',
    clientSecret: randomBytes(24).toString('base64url'),
    redirectUris: [`${url}/auth/oauth/dev/callback`],
  };
  const oidc = await startDevOidc({ clients: () => [client] });
  return {
    ...oidc,
    env: {
      OAUTH_PROVIDERS: JSON.stringify({
        dev: { issuer: oidc.issuer, clientId: client.clientId, clientSecret: client.clientSecret },
      }),
      OAUTH_ALLOW_INSECURE_ISSUER: 'true',
    },
  };
}

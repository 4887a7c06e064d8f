/** `npm start`: the whole backend on loopback. PORT (default 3000) picks the port. */
import { linksIn } from '../../shared/adapters/local/outbox.js';
import { nodeVersionNote, silenceSdkNodeVersionWarning } from './node-support.js';
import { mtlsOptionsFromEnv } from './local-options.js';
import { startLocal } from './start.js';

// Before the first AWS client: the SDK's 10-line Node-version warning is replaced by one line below.
silenceSdkNodeVersionWarning();

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid configuration: PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}

let mtls: ReturnType<typeof mtlsOptionsFromEnv>;
try {
  mtls = mtlsOptionsFromEnv(process.env);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}

const backend = await startLocal({ port, devOidc: true, mtls }).catch((e: unknown) => {
  console.error(`Could not start the local backend: ${e instanceof Error ? e.message : String(e)}`);
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
    console.error(`Port ${port} is taken: start on another one with PORT=3001 npm start (PORT=0 picks a free one).`);
  // Without Java the message itself says what to install (JAVA_HINT in dynamo-local.ts).
  process.exit(1);
});

const nodeNote = nodeVersionNote();
console.log(`
Local auth backend listening on ${backend.url}${
  backend.mtls ? `\n  and with mutual TLS on ${backend.mtls.url} (client certificates from LOCAL_MTLS_TRUSTSTORE)` : ''
}

  Demo page:  ${backend.url}/            API description: ${backend.url}/openapi.json

  POST ${backend.url}/auth/signup          {"email","password"}
  POST ${backend.url}/auth/login           {"email","password"}
  POST ${backend.url}/auth/refresh         (refresh cookie or {"refreshToken"})
  POST ${backend.url}/auth/logout
  POST ${backend.url}/auth/logout-all      (Authorization: Bearer …)
  GET  ${backend.url}/auth/me              (Authorization: Bearer …, via the authorizer)
  GET  ${backend.url}/.well-known/jwks.json
  GET  ${backend.url}/.well-known/openid-configuration
  POST ${backend.url}/auth/magic-link      {"email","redirectTo"?}
  POST ${backend.url}/auth/magic-link/verify  {"token"} or {"email","code"}
  POST ${backend.url}/auth/verify-email    {"token"} or {"email","code"}
  POST ${backend.url}/auth/password-reset  {"email"}
  POST ${backend.url}/auth/password-reset/confirm  {"token"} or {"email","code"}, plus {"newPassword"}
  GET  ${backend.url}/_dev/outbox          (local only: the mails sent, newest last; links are printed here too)
${nodeNote ? `\n  ${nodeNote}\n` : ''}
${
  backend.devOidcIssuer
    ? `
  Social sign-in with the local OpenID provider (${backend.devOidcIssuer}; any email signs in), open in a browser:
  ${backend.url}/auth/oauth/dev/authorize?redirectTo=${encodeURIComponent(`${backend.url}/`)}
`
    : ''
}
Press Ctrl+C to stop.`);

// Every function's cold start, in the background: a function that cannot start says so now, not at its first request.
void backend.warmUp();

// Local dev only: print each mail's links so they can be clicked from the terminal.
backend.mail.onSend((m) => console.log(`[outbox] ${m.subject} → ${m.to}\n  ${linksIn(m).join('\n  ')}`));

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping (DynamoDB Local too)…`);
  await backend.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

/** The local demo page: every flow through the typed client (shared/client), as an SPA would use it. */
import {
  AuthClientError,
  createAuthClient,
  isMfaChallenge,
  type MfaChallenge,
  type Session,
} from '../../../shared/client/index.js';
import { mfaCard } from './mfa.js';
import { passkeyCard } from './passkeys.js';

const auth = createAuthClient({ baseUrl: location.origin });
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const show = (id: string, value: unknown) => {
  $(id).textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
};

function decode(token: string): Record<string, unknown> {
  const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '='))) as Record<string, unknown>;
}

auth.onChange((session) => {
  const signedIn = session !== undefined;
  for (const id of ['me', 'refresh', 'signout', 'signout-all']) $<HTMLButtonElement>(id).disabled = !signedIn;
  mfa.signedIn(signedIn);
  passkeys.signedIn(signedIn);
  if (session) {
    const claims = decode(session.accessToken);
    show(
      'status',
      `Signed in as ${String(claims.email)} (expires ${new Date(session.expiresAt).toLocaleTimeString()}).`,
    );
    show('claims', claims);
  } else {
    show('status', 'Signed out.');
    show('claims', '—');
  }
});

async function run(action: () => Promise<unknown>) {
  try {
    const result = await action();
    if (result !== undefined) show('output', result);
  } catch (e) {
    show('output', e instanceof AuthClientError ? { status: e.status, error: e.code, message: e.message } : String(e));
  }
}

const mfa = mfaCard(auth, run);
const passkeys = passkeyCard(auth, run);
/** A first factor either signs in or asks for the second step. */
const firstFactor = (result: Session | MfaChallenge, done: string) =>
  isMfaChallenge(result) ? mfa.challenged(result) : done;

const credentials = () => [$<HTMLInputElement>('email').value, $<HTMLInputElement>('password').value] as const;

$('password-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void run(async () => firstFactor(await auth.signIn(...credentials()), 'Signed in.'));
});
$('signup').addEventListener(
  'click',
  () => void run(async () => firstFactor(await auth.signUp(...credentials()), 'Account created.')),
);
$('magic-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void run(
    async () => (
      await auth.requestMagicLink($<HTMLInputElement>('magic-email').value, `${location.origin}/`),
      'Check the dev outbox for the link.'
    ),
  );
});
$('oauth-dev').addEventListener('click', () => location.assign(auth.startOAuth('dev', `${location.origin}/`)));
$('me').addEventListener('click', () => void run(async () => (await auth.fetch('/auth/me')).json()));
$('refresh').addEventListener(
  'click',
  () => void run(async () => ((await auth.refresh()) ? 'Refreshed: the refresh cookie rotated.' : 'No session.')),
);
$('signout').addEventListener('click', () => void run(async () => (await auth.signOut(), 'Signed out.')));
$('signout-all').addEventListener(
  'click',
  () => void run(async () => (await auth.signOutEverywhere(), 'Signed out on every device.')),
);

// Keys, and a session that survives a reload (or comes back from a social sign-in): try the refresh cookie once.
void fetch('/.well-known/jwks.json')
  .then((r) => r.json())
  .then((jwks: { keys: { kid: string; alg: string }[] }) =>
    show('jwks', jwks.keys.map((k) => `${k.kid}  ${k.alg}`).join('\n')),
  );
void auth.getAccessToken();

/**
 * Case 4, passkeys: the calls per request of the WebAuthn verify calls (and their options calls), driven with real
 * WebAuthn responses from the software authenticator of test/helpers/webauthn.ts answering as the local origin
 * (`http://localhost:PORT`, RP ID `localhost`, as in test/e2e/passkeys-flow.test.ts).
 *
 * Each measured request gets what an earlier request made (a challenge, an mfaToken) from a pool filled before
 * counting starts, so a row counts one call and nothing else; the assertion is signed when the request is made, so
 * the counter goes up by one each time (S69).
 */
import { SoftAuthenticator } from '../helpers/webauthn.js';

interface Answer {
  status: number;
  json: any;
  cookies: string[];
}

export interface PasskeyBenchContext {
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;
  measureCalls: (name: string, expectStatus: number, request: () => Promise<Answer>, times?: number) => Promise<void>;
  newEmail: () => string;
  password: string;
  origin: string;
}

/** Warm-up (with its retries) plus the 5 measured requests, with room to spare. */
const POOL = 10;

async function pool<T>(make: () => Promise<T>): Promise<T[]> {
  const items: T[] = [];
  for (let i = 0; i < POOL; i++) items.push(await make());
  return items;
}

const expectStatus = (what: string, r: Answer, status: number) => {
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.json)}`);
  return r;
};

export async function measurePasskeyCalls({
  call,
  measureCalls,
  newEmail,
  password,
  origin,
}: PasskeyBenchContext): Promise<void> {
  // A password account with one passkey: the passkey signs in alone, and finishes a password login as second factor.
  const user = { email: newEmail(), password, tokenDelivery: 'body' };
  const access = expectStatus('signup', await call('POST', '/auth/signup', user), 201).json.accessToken as string;
  const bearer = { authorization: `Bearer ${access}` };
  const authenticator = new SoftAuthenticator({ origin, rpId: 'localhost' });
  const registration = await call('POST', '/auth/passkeys/register/options', undefined, bearer);
  expectStatus('register options', registration, 200);
  expectStatus(
    'register verify',
    await call(
      'POST',
      '/auth/passkeys/register/verify',
      { response: authenticator.register(registration.json), name: 'Bench' },
      bearer,
    ),
    201,
  );

  // Passkey sign-in (usernameless): options, then verify.
  const signInOptions = () => call('POST', '/auth/passkeys/authenticate/options', {});
  await measureCalls('POST /auth/passkeys/authenticate/options', 200, signInOptions);
  const challenges = await pool(async () => expectStatus('options', await signInOptions(), 200).json);
  await measureCalls('POST /auth/passkeys/authenticate/verify (passkey sign-in)', 200, () =>
    call('POST', '/auth/passkeys/authenticate/verify', {
      response: authenticator.assert(challenges.shift()),
      tokenDelivery: 'body',
    }),
  );

  // The passkey as second factor: a password login answers mfa_required, then options, then verify.
  const mfaToken = async () =>
    expectStatus('login', await call('POST', '/auth/login', user), 401).json.mfaToken as string;
  const tokens = await pool(mfaToken);
  await measureCalls('POST /auth/mfa/webauthn/options', 200, () =>
    call('POST', '/auth/mfa/webauthn/options', { mfaToken: tokens.shift() }),
  );
  const pending = await pool(async () => {
    const token = await mfaToken();
    const options = await call('POST', '/auth/mfa/webauthn/options', { mfaToken: token });
    return { token, options: expectStatus('mfa options', options, 200).json };
  });
  await measureCalls('POST /auth/mfa/verify (method webauthn)', 200, () => {
    const next = pending.shift()!;
    return call('POST', '/auth/mfa/verify', {
      mfaToken: next.token,
      method: 'webauthn',
      response: authenticator.assert(next.options),
    });
  });
}

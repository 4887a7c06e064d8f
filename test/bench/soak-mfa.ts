/**
 * The soak's second factors: a client enrols TOTP once signed in, and from then on its logins end in
 * `401 mfa_required`, finished by `POST /auth/mfa/verify` with a fresh code. A TOTP step is accepted once (S60),
 * so the client only tries a login when it still has an unused step inside the verifier's window; otherwise the
 * caller does something else.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCode, totpStep } from '../../shared/domain/mfa/totp.js';

export interface Answer {
  status: number;
  body: any;
  cookie?: string;
}

export type Call = (
  route: string,
  method: string,
  path: string,
  opts?: { json?: unknown; headers?: Record<string, string> },
) => Promise<Answer>;

export interface TotpAccount {
  key: Uint8Array;
  lastStep: number;
}

const stepNow = () => totpStep(Math.floor(Date.now() / 1000));

/** The next step this account may use (one older than now at the earliest), or undefined when all are spent. */
export function nextStep(account: TotpAccount): number | undefined {
  const step = Math.max(stepNow() - 1, account.lastStep + 1);
  return step <= stepNow() ? step : undefined;
}

/** Enrols a TOTP factor for the signed-in caller; the session it answers with has `mfa`. */
export async function enrolTotp(
  call: Call,
  access: string,
): Promise<{ account: TotpAccount; access: string; refresh?: string } | undefined> {
  const headers = { authorization: `Bearer ${access}` };
  const start = await call('mfa-enrol', 'POST', '/auth/mfa/totp', { headers });
  if (start.status !== 201) return undefined;
  const account = { key: decodeBase32IgnorePadding(start.body.secret as string), lastStep: -1 };
  const step = nextStep(account)!;
  const confirm = await call('mfa-enrol-verify', 'POST', '/auth/mfa/totp/verify', {
    headers,
    json: { factorId: start.body.factorId, code: totpCode(account.key, step) },
  });
  if (confirm.status !== 200) return undefined;
  account.lastStep = step;
  return { account, access: confirm.body.accessToken, refresh: confirm.cookie };
}

/** Password, then the second factor: the session, or undefined when an answer was not the happy one. */
export async function loginWithTotp(
  call: Call,
  account: TotpAccount,
  credentials: { email: string; password: string },
): Promise<{ access: string; refresh?: string } | undefined> {
  const step = nextStep(account);
  if (step === undefined) return undefined;
  const first = await call('login', 'POST', '/auth/login', { json: credentials });
  if (first.status !== 401 || first.body?.error !== 'mfa_required') return undefined;
  const second = await call('mfa-verify', 'POST', '/auth/mfa/verify', {
    json: { mfaToken: first.body.mfaToken, method: 'totp', code: totpCode(account.key, step) },
  });
  // Spent whatever the answer: a lost answer may have committed the step (S60 refuses it again).
  account.lastStep = step;
  return second.status === 200 ? { access: second.body.accessToken, refresh: second.cookie } : undefined;
}

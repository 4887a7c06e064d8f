/**
 * The client's second-factor half (ARCHITECTURE.md › Second factors): the typed challenge a first factor answers with
 * when the account has a confirmed factor, `verifyMfa()` that finishes such a sign-in, and the Bearer routes that
 * enrol and manage factors. Split from `index.ts` so each file reads in one sitting.
 */

/** Ways to finish a sign-in (the server lists those the account has in `methods`). */
export type MfaMethod = 'totp' | 'recovery_code' | 'webauthn';

/**
 * What a first factor (`signIn`, `verifyMagicLink`) resolves to instead of a session when a second step is needed:
 * `mfa_required` → call `verifyMfa`; `mfa_enrollment_required` (MFA_POLICY=required) → enrol with `enrollTotp`
 * passing this challenge, then `confirmTotp`.
 */
export interface MfaChallenge {
  type: 'mfa_required' | 'mfa_enrollment_required';
  /** Single use, ≤ 5 minutes (S66). Keep it in memory only. */
  mfaToken: string;
  methods: MfaMethod[];
  /** Epoch milliseconds after which the server refuses the token. */
  expiresAt: number;
  message: string;
}

/** `verifyMfa` input. Without `mfaToken` the server reads the HttpOnly `__Host-mfa` cookie (social sign-in). */
export type MfaVerification = { mfaToken?: string } & (
  { method: 'totp' | 'recovery_code'; code: string } | { method: 'webauthn'; response: unknown }
);

export interface TotpEnrollment {
  factorId: string;
  /** Base32, for manual entry. */
  secret: string;
  /** `otpauth://totp/…`, for a QR code. */
  otpauthUri: string;
}

export interface MfaFactor {
  id: string;
  type: string;
  createdAt: string;
  lastUsedAt?: string | null;
}

/** True when a first factor answered with a challenge rather than a session. */
export const isMfaChallenge = (r: unknown): r is MfaChallenge =>
  typeof r === 'object' && r !== null && 'mfaToken' in r && 'type' in r;

const CHALLENGES = new Set(['mfa_required', 'mfa_enrollment_required']);

/** Reads a 401 challenge body, or undefined when the response is anything else. */
export async function readChallenge(res: Response, now: number): Promise<MfaChallenge | undefined> {
  if (res.status !== 401) return undefined;
  // A clone: when this is not a challenge, the caller still reads the body for its error.
  const body = (await res
    .clone()
    .json()
    .catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!body || !CHALLENGES.has(body.error as string) || typeof body.mfaToken !== 'string') return undefined;
  const methods = Array.isArray(body.methods) ? body.methods.filter((m): m is MfaMethod => typeof m === 'string') : [];
  return {
    type: body.error as MfaChallenge['type'],
    mfaToken: body.mfaToken,
    methods,
    expiresAt: now + (typeof body.expiresIn === 'number' ? body.expiresIn : 300) * 1000,
    message: typeof body.message === 'string' ? body.message : 'A second factor is required.',
  };
}

/** What `createAuthClient` lends the MFA methods. */
export interface ClientInternals<S> {
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  fail(res: Response): Promise<never>;
  /** Turns a token body into the session (and stores a native refresh token). */
  accept(body: { accessToken: string; expiresIn: number; refreshToken?: string }): Promise<S>;
  /** `Authorization` for a Bearer route: the challenge's token under MFA_POLICY=required, else the session's. */
  bearer(challenge?: MfaChallenge): Promise<string>;
}

export function mfaMethods<S>(c: ClientInternals<S>) {
  const authed = async (path: string, init: RequestInit & { json?: unknown }, challenge?: MfaChallenge) => {
    const res = await c.call(path, { ...init, headers: { authorization: await c.bearer(challenge) } });
    return res.ok ? res : c.fail(res);
  };

  return {
    /** Finishes a sign-in that answered `mfa_required`, with a TOTP code, a recovery code or a passkey. */
    async verifyMfa(input: MfaVerification): Promise<S> {
      const res = await c.call('/auth/mfa/verify', { method: 'POST', json: input });
      if (!res.ok) return c.fail(res);
      return c.accept((await res.json()) as Parameters<typeof c.accept>[0]);
    },

    /** Starts enrolling an authenticator app; show `otpauthUri` as a QR code, then `confirmTotp` with its first code. */
    async enrollTotp(challenge?: MfaChallenge): Promise<TotpEnrollment> {
      return (await (await authed('/auth/mfa/totp', { method: 'POST' }, challenge)).json()) as TotpEnrollment;
    },

    /** Confirms the app with its first code: a new session with `mfa`, and 10 recovery codes to show once (S62). */
    async confirmTotp(
      factorId: string,
      code: string,
      challenge?: MfaChallenge,
    ): Promise<{ session: S; recoveryCodes: string[] }> {
      const res = await authed('/auth/mfa/totp/verify', { method: 'POST', json: { factorId, code } }, challenge);
      const body = (await res.json()) as Parameters<typeof c.accept>[0] & { recoveryCodes: string[] };
      return { session: await c.accept(body), recoveryCodes: body.recoveryCodes };
    },

    async listFactors(): Promise<{ factors: MfaFactor[]; recoveryCodesRemaining: number }> {
      return (await (await authed('/auth/mfa', { method: 'GET' })).json()) as {
        factors: MfaFactor[];
        recoveryCodesRemaining: number;
      };
    },

    /** Needs a recent sign-in with a second factor (`403 reauthentication_required` otherwise, S63). */
    async deleteFactor(factorId: string): Promise<void> {
      await authed(`/auth/mfa/${encodeURIComponent(factorId)}`, { method: 'DELETE' });
    },

    /** A new set of recovery codes; the old set stops working. Needs a recent MFA sign-in (S63). */
    async regenerateRecoveryCodes(): Promise<string[]> {
      const res = await authed('/auth/mfa/recovery-codes', { method: 'POST' });
      return ((await res.json()) as { recoveryCodes: string[] }).recoveryCodes;
    },
  };
}

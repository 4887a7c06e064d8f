/**
 * The client's passkey half (ARCHITECTURE.md › Passkeys): the browser ceremonies run by `@simplewebauthn/browser`,
 * the options and verification by the server. Usernameless sign-in, registering and managing passkeys, and a
 * passkey as the second factor of an `mfa_required` challenge.
 */
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { ClientInternals, MfaChallenge } from './mfa.js';

export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  backedUp: boolean;
}

export function passkeyMethods<S>(c: ClientInternals<S>) {
  const json = async <T>(res: Response): Promise<T> => (res.ok ? ((await res.json()) as T) : c.fail(res));
  const authed = async (path: string, init: RequestInit & { json?: unknown }) =>
    c.call(path, { ...init, headers: { authorization: await c.bearer() } });

  return {
    /** True where the browser can run WebAuthn ceremonies. */
    passkeysSupported: (): boolean => browserSupportsWebAuthn(),

    /** Creates a passkey for the signed-in user and stores it (`201 {id, name, createdAt}`). */
    async registerPasskey(name?: string): Promise<{ id: string; name: string; createdAt: string }> {
      const optionsJSON = await json<PublicKeyCredentialCreationOptionsJSON>(
        await authed('/auth/passkeys/register/options', { method: 'POST', json: {} }),
      );
      const response = await startRegistration({ optionsJSON });
      return json(await authed('/auth/passkeys/register/verify', { method: 'POST', json: { response, name } }));
    },

    /**
     * Signs in with a passkey, usernameless. `autofill: true` runs the conditional-UI flow (the browser offers
     * passkeys in an `<input autocomplete="username webauthn">`); it resolves when the user picks one.
     */
    async signInWithPasskey(options: { autofill?: boolean } = {}): Promise<S> {
      const optionsJSON = await json<PublicKeyCredentialRequestOptionsJSON>(
        await c.call('/auth/passkeys/authenticate/options', { method: 'POST', json: {} }),
      );
      const response = await startAuthentication({ optionsJSON, useBrowserAutofill: options.autofill === true });
      const res = await c.call('/auth/passkeys/authenticate/verify', { method: 'POST', json: { response } });
      return c.accept(await json<Parameters<typeof c.accept>[0]>(res));
    },

    /** Finishes an `mfa_required` challenge (whose `methods` has `webauthn`) with a passkey. */
    async verifyMfaWithPasskey(challenge: MfaChallenge): Promise<S> {
      const optionsJSON = await json<PublicKeyCredentialRequestOptionsJSON>(
        await c.call('/auth/mfa/webauthn/options', { method: 'POST', json: { mfaToken: challenge.mfaToken } }),
      );
      const response = await startAuthentication({ optionsJSON });
      const res = await c.call('/auth/mfa/verify', {
        method: 'POST',
        json: { mfaToken: challenge.mfaToken, method: 'webauthn', response },
      });
      return c.accept(await json<Parameters<typeof c.accept>[0]>(res));
    },

    async listPasskeys(): Promise<Passkey[]> {
      return (await json<{ passkeys: Passkey[] }>(await authed('/auth/passkeys', { method: 'GET' }))).passkeys;
    },

    /** `403 reauthentication_required` when it is the last factor and the session is not a recent multi-factor one. */
    async removePasskey(id: string): Promise<void> {
      const res = await authed(`/auth/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (!res.ok) await c.fail(res);
    },
  };
}

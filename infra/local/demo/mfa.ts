/**
 * The demo page's second-factor card: enrol an authenticator app from a QR code, show the recovery codes once, and
 * finish a sign-in that answered `mfa_required` with a code. Everything goes through the typed client.
 */
import { toString as qrSvg } from 'qrcode';
import type { AuthClient, MfaChallenge } from '../../../shared/client/index.js';

type Run = (action: () => Promise<unknown>) => Promise<void>;

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const value = (id: string) => el<HTMLInputElement>(id).value.trim();

export function mfaCard(auth: AuthClient, run: Run) {
  // The pending second step lives in memory only (S66): a reload drops it and the user signs in again.
  let pending: MfaChallenge | 'cookie' | undefined;
  let factorId: string | undefined;

  const prompt = (on: boolean) => {
    el('mfa-verify-form').hidden = !on;
    if (on) el('mfa-code').focus();
  };
  const clearEnrolment = () => {
    factorId = undefined;
    el('mfa-enrolment').hidden = true;
    el('qr').replaceChildren();
    el('totp-secret').textContent = '';
  };
  // Recovery codes are shown once: gone on "saved", on sign-out and on reload, never fetched again.
  const clearRecoveryCodes = () => {
    el('recovery').hidden = true;
    el('recovery-codes').replaceChildren();
  };

  el('mfa-verify-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void run(async () => {
      const method = el<HTMLInputElement>('mfa-use-recovery').checked ? 'recovery_code' : 'totp';
      // Social sign-in left the mfaToken in the HttpOnly __Host-mfa cookie: the server reads it from there.
      const mfaToken = pending && pending !== 'cookie' ? pending.mfaToken : undefined;
      await auth.verifyMfa({ mfaToken, method, code: value('mfa-code') });
      pending = undefined;
      el<HTMLInputElement>('mfa-code').value = '';
      prompt(false);
      return 'Signed in with a second factor.';
    });
  });

  el('mfa-passkey').addEventListener('click', () => {
    void run(async () => {
      if (!pending || pending === 'cookie') return 'Sign in again to use a passkey.';
      await auth.verifyMfaWithPasskey(pending);
      pending = undefined;
      prompt(false);
      return 'Signed in with a passkey as second factor.';
    });
  });

  el('mfa-enrol').addEventListener('click', () => {
    void run(async () => {
      clearRecoveryCodes();
      const enrolment = await auth.enrollTotp(pending && pending !== 'cookie' ? pending : undefined);
      factorId = enrolment.factorId;
      const svg = new DOMParser().parseFromString(await qrSvg(enrolment.otpauthUri, { type: 'svg' }), 'image/svg+xml');
      const image = svg.documentElement;
      image.setAttribute('role', 'img');
      image.setAttribute('aria-label', 'QR code to scan with your authenticator app');
      el('qr').replaceChildren(document.importNode(image, true));
      el('totp-secret').textContent = enrolment.secret;
      el('mfa-enrolment').hidden = false;
      el('mfa-confirm-code').focus();
      return 'Scan the QR code, then enter the first code your app shows.';
    });
  });

  el('mfa-confirm-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void run(async () => {
      if (!factorId) return 'Start the set-up first.';
      const { recoveryCodes } = await auth.confirmTotp(factorId, value('mfa-confirm-code'));
      clearEnrolment();
      el<HTMLInputElement>('mfa-confirm-code').value = '';
      el('recovery-codes').replaceChildren(
        ...recoveryCodes.map((c) => Object.assign(document.createElement('li'), { textContent: c })),
      );
      el('recovery').hidden = false;
      return 'Authenticator app confirmed: the next sign-in asks for a code.';
    });
  });
  el('recovery-done').addEventListener('click', clearRecoveryCodes);

  // A social sign-in that needs a second factor comes back with ?mfa_required=1 (the token is in the cookie).
  const url = new URL(location.href);
  if (url.searchParams.get('mfa_required') === '1') {
    pending = 'cookie';
    history.replaceState(null, '', url.pathname);
    prompt(true);
  }

  return {
    /** A first factor answered with a challenge: ask for the code. */
    challenged(challenge: MfaChallenge): string {
      pending = challenge;
      if (challenge.type === 'mfa_enrollment_required') {
        el<HTMLButtonElement>('mfa-enrol').disabled = false;
        return `${challenge.message} Set up an authenticator app below.`;
      }
      el('mfa-passkey').hidden = !challenge.methods.includes('webauthn');
      prompt(true);
      return challenge.message;
    },
    signedIn(on: boolean) {
      el<HTMLButtonElement>('mfa-enrol').disabled = !on;
      if (!on) {
        clearEnrolment();
        clearRecoveryCodes();
      }
    },
  };
}

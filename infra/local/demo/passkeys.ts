/**
 * The demo page's passkey card: sign in with a passkey (the button, or the browser's autofill prompt on the email
 * field), add one while signed in, list and remove them. Everything goes through the typed client.
 */
import type { AuthClient } from '../../../shared/client/index.js';

type Run = (action: () => Promise<unknown>) => Promise<void>;

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function passkeyCard(auth: AuthClient, run: Run) {
  const list = async () => {
    const passkeys = await auth.listPasskeys();
    el('passkey-list').replaceChildren(
      ...passkeys.map((p) => {
        const item = document.createElement('li');
        const remove = Object.assign(document.createElement('button'), {
          type: 'button',
          textContent: `Remove ${p.name}`,
        });
        remove.dataset.passkeyId = p.id;
        remove.addEventListener('click', () => {
          void run(async () => {
            await auth.removePasskey(p.id);
            await list();
            return 'Passkey removed.';
          });
        });
        item.append(`${p.name} (added ${new Date(p.createdAt).toLocaleString()}) `, remove);
        return item;
      }),
    );
    return passkeys;
  };

  el('passkey-signin').addEventListener('click', () => {
    void run(async () => (await auth.signInWithPasskey(), 'Signed in with a passkey.'));
  });
  el('passkey-add').addEventListener('click', () => {
    void run(async () => {
      const added = await auth.registerPasskey(el<HTMLInputElement>('passkey-name').value.trim() || undefined);
      await list();
      return `Passkey added: ${added.name}.`;
    });
  });

  // Conditional UI: the browser offers passkeys in the email field's autofill; picking one signs in.
  if (auth.passkeysSupported() && typeof PublicKeyCredential.isConditionalMediationAvailable === 'function') {
    void PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
      if (available)
        void run(async () => (await auth.signInWithPasskey({ autofill: true }), 'Signed in with a passkey.'));
    });
  }

  return {
    signedIn(on: boolean) {
      el<HTMLButtonElement>('passkey-add').disabled = !on;
      if (on) void list().catch(() => undefined);
      else el('passkey-list').replaceChildren();
    },
  };
}

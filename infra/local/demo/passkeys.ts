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

  // Conditional UI, started on load as @simplewebauthn recommends: the browser offers passkeys in the email field's
  // autofill (`autocomplete="username webauthn"`) and the request waits until one is picked. Another ceremony (the
  // button, adding a passkey) aborts it; a request that ends without a credential (AbortError, NotAllowedError) is
  // not an error to show. What the server answers still is.
  if (auth.passkeysSupported() && typeof PublicKeyCredential.isConditionalMediationAvailable === 'function') {
    void PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
      if (!available) return;
      void run(async () => {
        try {
          await auth.signInWithPasskey({ autofill: true });
        } catch (e) {
          if (e instanceof Error && (e.name === 'AbortError' || e.name === 'NotAllowedError')) return undefined;
          throw e;
        }
        return 'Signed in with a passkey from the autofill prompt.';
      });
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

/** The admin MFA reset (S63) removes every factor, passkeys included, and ends the user's sessions. */
import { describe, expect, it } from 'vitest';
import { MemoryPasskeyStore } from '../../shared/adapters/memory/passkey-store.js';
import { MemoryRefreshTokenStore } from '../../shared/adapters/memory/refresh-token-store.js';
import { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import { adminResetMfa, listFactors } from '../../shared/domain/mfa/manage.js';
import type { MfaStore } from '../../shared/ports/mfa-store.js';
import type { Passkey } from '../../shared/ports/passkey-store.js';

const passkey = (id: string, userId: string): Passkey => ({
  id,
  userId,
  publicKey: 'pk',
  counter: 0,
  transports: [],
  deviceType: 'multiDevice',
  backedUp: true,
  aaguid: '00000000-0000-0000-0000-000000000000',
  name: id,
  createdAt: 1,
});

describe('adminResetMfa', () => {
  it('S63: removes the TOTP factors and every passkey of that user (and no one else’s), and ends the sessions', async () => {
    const users = new MemoryUserStore();
    await users.create({ id: 'u1', email: 'u1@example.com', roles: ['user'], createdAt: 1 } as never);
    const passkeys = new MemoryPasskeyStore();
    await passkeys.add(passkey('a', 'u1'));
    await passkeys.add(passkey('b', 'u1'));
    await passkeys.add(passkey('c', 'u2'));
    const removed: string[] = [];
    const mfa = { removeAll: async (userId: string) => (removed.push(userId), true) } as unknown as MfaStore;
    const refreshTokens = new MemoryRefreshTokenStore();
    const now = Math.floor(Date.now() / 1000);
    await refreshTokens.createFamily(
      { familyId: 'f', userId: 'u1', createdAt: now, expiresAt: now + 3600 },
      {
        tokenHash: 't',
        userId: 'u1',
        familyId: 'f',
        familyExpiresAt: now + 3600,
        status: 'active',
        issuedAt: now,
        expiresAt: now + 600,
      },
    );

    await adminResetMfa({ clock: Date, users, mfa, refreshTokens, passkeys }, 'admin-1', 'u1');

    expect(removed).toEqual(['u1']);
    expect(await passkeys.listByUser('u1')).toEqual([]);
    expect((await passkeys.listByUser('u2')).map((p) => p.id)).toEqual(['c']);
    const family = (refreshTokens.dump() as { familyId?: string; tokenHash?: string; revokedAt?: number }[]).find(
      (r) => r.tokenHash === undefined,
    );
    expect(family?.revokedAt).toBeDefined();
  });

  it('GET /auth/mfa lists passkeys as webauthn factors beside confirmed authenticators', async () => {
    const passkeys = new MemoryPasskeyStore();
    await passkeys.add(passkey('pk-1', 'u1'));
    const mfa = {
      get: async () => ({
        userId: 'u1',
        factors: [
          { id: 't1', type: 'totp', sealedSecret: 's', confirmed: true, createdAt: 1 },
          { id: 't2', type: 'totp', sealedSecret: 's', confirmed: false, createdAt: 1 },
        ],
        recoveryCodeHashes: ['h1', 'h2'],
      }),
    } as unknown as MfaStore;
    const listed = await listFactors({ mfa, passkeys }, 'u1');
    expect(listed.factors.map((f) => [f.id, f.type])).toEqual([
      ['t1', 'totp'],
      ['pk-1', 'webauthn'],
    ]);
    expect(listed.recoveryCodesRemaining).toBe(2);
  });
});

import { hash, verify as argon2Verify } from '@node-rs/argon2';
import { describe, expect, it, vi } from 'vitest';
import { Argon2Hasher, dummyHashFactory } from '../../shared/adapters/argon2-hasher.js';
import { logIn, type LoginDeps } from '../../shared/domain/login.js';
import { AuthError } from '../../shared/domain/errors.js';
import { inMemoryLogin } from '../helpers/fakes.js';

const PASSWORD = 'correct horse battery staple';

const setup = () => inMemoryLogin();

const attempt = (deps: LoginDeps, email: string, password: string) =>
  logIn(deps, { email, password, sourceIp: '192.0.2.1' }).then(
    () => 'ok',
    (e: unknown) => (e instanceof AuthError ? e.code : String(e)),
  );

describe('Use-case: logIn', () => {
  it('S2: an unknown email still costs exactly one argon2 verify (against the dummy hash)', async () => {
    const { deps, hasher } = await setup();
    const verify = vi.spyOn(hasher, 'verify');
    expect(await attempt(deps, 'nobody@example.com', PASSWORD)).toBe('invalid_credentials');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0][0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('S2: the dummy hash is shaped as a real one (parameters, salt and output lengths), differs per container, and no password verifies against it', async () => {
    // Prepare
    const hasher = new Argon2Hasher();
    const real = await hasher.hash(PASSWORD);
    const parts = (phc: string) => {
      const [, alg, version, params, salt, output] = phc.split('$');
      return { alg, version, params, salt: salt.length, output: output.length };
    };

    // Act
    const dummy = await dummyHashFactory(hasher)();
    const again = await dummyHashFactory(hasher)();

    // Assess: the same argon2id work to verify (S2), and nothing to upgrade.
    expect(parts(dummy)).toEqual(parts(real));
    expect(hasher.needsRehash(dummy)).toBe(false);
    expect(again).not.toBe(dummy);
    // The library itself accepts it (a malformed PHC would reject at once, before any argon2 work, which
    // Argon2Hasher.verify would hide as a plain `false`) and computes a mismatch.
    await expect(argon2Verify(dummy, PASSWORD)).resolves.toBe(false);
    await expect(argon2Verify(dummy, '')).resolves.toBe(false);
  });

  it('S7: a stored hash with weaker parameters is upgraded at the next successful login', async () => {
    const { deps, users } = await setup();
    const weak = await hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await users.create({
      id: 'u-weak',
      email: 'weak@example.com',
      passwordHash: weak,
      roles: ['user'],
      emailVerified: false,
      createdAt: 0,
    });
    expect(await attempt(deps, 'weak@example.com', PASSWORD)).toBe('ok');
    const stored = (await users.findById('u-weak'))!.passwordHash!;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await attempt(deps, 'weak@example.com', PASSWORD)).toBe('ok');
  });

  it('S46: a password over the maximum never reaches argon2', async () => {
    const { deps, hasher } = await setup();
    const verify = vi.spyOn(hasher, 'verify');
    const h = vi.spyOn(hasher, 'hash');
    expect(await attempt(deps, 'a@example.com', 'x'.repeat(5000))).toBe('invalid_credentials');
    expect(verify).not.toHaveBeenCalled();
    expect(h).not.toHaveBeenCalled();
  });

  it('S4: the lock lifts when the window ends', async () => {
    const { deps, users, hasher, clock } = await setup();
    await users.create({
      id: 'u-1',
      email: 'a@example.com',
      passwordHash: await hasher.hash(PASSWORD),
      roles: [],
      emailVerified: false,
      createdAt: 0,
    });
    for (let i = 0; i < 5; i++)
      expect(await attempt(deps, 'a@example.com', 'wrong password here')).toBe('invalid_credentials');
    expect(await attempt(deps, 'a@example.com', PASSWORD)).toBe('too_many_attempts');
    clock.advance(901);
    expect(await attempt(deps, 'a@example.com', PASSWORD)).toBe('ok');
  });

  it('S4: correct-password attempts on an unverified account (verification required) never lock it', async () => {
    const { deps, users, hasher } = await setup();
    deps.requireEmailVerification = true;
    await users.create({
      id: 'u-2',
      email: 'new@example.com',
      passwordHash: await hasher.hash(PASSWORD),
      roles: [],
      emailVerified: false,
      createdAt: 0,
    });
    for (let i = 0; i < 8; i++) expect(await attempt(deps, 'new@example.com', PASSWORD)).toBe('email_not_verified');
  });
});

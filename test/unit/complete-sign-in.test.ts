/**
 * The one sign-in funnel with in-memory stores and a frozen clock: the disabled-account refusal (S51), the
 * pre-hijack rule (S52) including its race with a password sign-in, bootstrap roles only for a proven address,
 * the claims every session carries (S53), account creation through the one function, and the sign-up throttle
 * (S55) before any hashing or mail.
 */
import { describe, expect, it, vi } from 'vitest';
import { Argon2Hasher, dummyHashFactory } from '../../shared/adapters/argon2-hasher.js';
import { MemoryEmailTokenStore } from '../../shared/adapters/memory/email-token-store.js';
import { MemoryRateLimiter } from '../../shared/adapters/memory/rate-limiter.js';
import { signUpWithEmail, type SignUpWithEmailDeps } from '../../shared/domain/email-verification.js';
import { logIn, type LoginDeps } from '../../shared/domain/login.js';
import { defaultMailTemplates } from '../../shared/domain/mail-templates.js';
import { rotateRefreshToken } from '../../shared/domain/refresh.js';
import { completeSignIn, type SignInDeps, type SignInMethod } from '../../shared/domain/sign-in/complete-sign-in.js';
import { AuthError } from '../../shared/domain/errors.js';
import type { MailMessage } from '../../shared/ports/mailer.js';
import type { User } from '../../shared/ports/user-store.js';
import { FrozenClock, inMemorySignIn } from '../helpers/fakes.js';
import { codeOf } from '../helpers/error-code.js';

const ADMIN = 'boss@example.com';
const PASSWORD = 'correct horse battery staple';
const IP = '192.0.2.7';
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

async function setup(options: { requireEmailVerification?: boolean } = {}) {
  const clock = new FrozenClock();
  const base = await inMemorySignIn(clock);
  const { users, refreshTokens } = base;
  const deps: SignInDeps = {
    ...base,
    adminEmails: [ADMIN],
    requireEmailVerification: options.requireEmailVerification ?? false,
  };
  return { deps, clock, users, refreshTokens };
}

const account = (over: Partial<User> = {}): User => ({
  id: 'u-1',
  email: 'alice@example.com',
  roles: ['user'],
  emailVerified: false,
  createdAt: 0,
  passwordHash: '$argon2id$pre-proof',
  ...over,
});

const METHODS: [SignInMethod, boolean][] = [
  ['pwd', false],
  ['otp', true],
  ['fed', true],
];

describe('Use-case: completeSignIn', () => {
  it.each(METHODS)(
    'S51: a disabled account is refused with 403 account_disabled by %s, and nothing changes',
    async (method, emailVerified) => {
      const { deps, users, refreshTokens } = await setup();
      const user = account({ disabled: true });
      await users.create(user);
      const createFamily = vi.spyOn(refreshTokens, 'createFamily');
      const error = await completeSignIn(deps, { account: user, method, proof: { emailVerified } }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: 'account_disabled', status: 403 });
      expect(createFamily).not.toHaveBeenCalled();
      // The pre-hijack rule did not run for a refused sign-in: the account is as it was.
      expect(await users.findById(user.id)).toEqual(user);
    },
  );

  it.each(METHODS.filter(([, proven]) => proven))(
    'S52: the first proof of the address by %s ends every earlier session and removes the pre-proof password',
    async (method) => {
      const { deps, users } = await setup();
      const user = account();
      await users.create(user);
      const earlier = await completeSignIn(deps, { account: user, method: 'pwd', proof: { emailVerified: false } });

      const result = await completeSignIn(deps, { account: user, method, proof: { emailVerified: true } });

      expect(result.user).toMatchObject({ id: user.id, emailVerified: true });
      expect(result.user.passwordHash).toBeUndefined();
      expect(await users.findById(user.id)).not.toHaveProperty('passwordHash');
      expect(await codeOf(rotateRefreshToken({ ...deps, reuseGraceSeconds: 0 }, earlier.tokens.refreshToken))).toBe(
        'invalid_token',
      );
      expect(await codeOf(rotateRefreshToken({ ...deps, reuseGraceSeconds: 0 }, result.tokens.refreshToken))).toBe(
        'ok',
      );
    },
  );

  it('S52: an address proven before keeps its password and its sessions at the next proof', async () => {
    const { deps, users } = await setup();
    const user = account({ emailVerified: true });
    await users.create(user);
    const earlier = await completeSignIn(deps, { account: user, method: 'pwd', proof: { emailVerified: false } });
    await completeSignIn(deps, { account: user, method: 'otp', proof: { emailVerified: true } });
    expect((await users.findById(user.id))?.passwordHash).toBe(user.passwordHash);
    expect(await codeOf(rotateRefreshToken({ ...deps, reuseGraceSeconds: 0 }, earlier.tokens.refreshToken))).toBe('ok');
  });

  it("S52: a password sign-in racing the owner's proof gets no session (none is written, 401 invalid_credentials)", async () => {
    const { deps, users, refreshTokens } = await setup();
    const user = account();
    await users.create(user);
    // The attacker's password matched against the account as read before the proof; the proof lands meanwhile.
    const stale = structuredClone(user);
    const owner = await completeSignIn(deps, { account: user, method: 'otp', proof: { emailVerified: true } });
    const revoke = vi.spyOn(refreshTokens, 'revokeFamily');
    const error = await completeSignIn(deps, { account: stale, method: 'pwd', proof: { emailVerified: false } }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 401 });
    // The session's own transaction refused it: no family was ever written, so none had to be ended.
    expect(revoke).not.toHaveBeenCalled();
    const families = (refreshTokens.dump() as { familyId?: string; tokenHash?: string; userId: string }[]).filter(
      (r) => r.tokenHash === undefined && r.userId === user.id,
    );
    expect(families).toHaveLength(1);
    expect(await codeOf(rotateRefreshToken({ ...deps, reuseGraceSeconds: 0 }, owner.tokens.refreshToken))).toBe('ok');
  });

  it('S52: ADMIN_EMAILS goes to a proven address only, at every method, never to a pre-registered password', async () => {
    const { deps, users } = await setup();
    const user = account({ email: ADMIN });
    await users.create(user);
    const byPassword = await completeSignIn(deps, { account: user, method: 'pwd', proof: { emailVerified: false } });
    expect(claims(byPassword.tokens.accessToken).roles).toEqual(['user']);
    expect((await users.findById(user.id))?.roles).toEqual(['user']);

    const byLink = await completeSignIn(deps, { account: user, method: 'otp', proof: { emailVerified: true } });
    expect(claims(byLink.tokens.accessToken).roles).toEqual(['user', 'admin']);
    expect((await users.findById(user.id))?.roles).toEqual(['user', 'admin']);

    // A new account proven socially gets it as well.
    const { deps: other } = await setup();
    const social = await completeSignIn(other, {
      newAccount: { email: ADMIN, identity: { issuer: 'https://idp.test', subject: 's' } },
      method: 'fed',
      proof: { emailVerified: true },
    });
    expect(social).toMatchObject({ created: true, user: { roles: ['user', 'admin'], emailVerified: true } });
  });

  it('S53: the session carries amr, auth_time and email_verified, and the family keeps them', async () => {
    const { deps, users, clock } = await setup();
    const user = account();
    await users.create(user);
    const { tokens } = await completeSignIn(deps, { account: user, method: 'otp', proof: { emailVerified: true } });
    const signedInAt = Math.floor(clock.now() / 1000);
    expect(claims(tokens.accessToken)).toMatchObject({ amr: ['otp'], auth_time: signedInAt, email_verified: true });
    clock.advance(600);
    const next = await rotateRefreshToken({ ...deps, reuseGraceSeconds: 0 }, tokens.refreshToken);
    expect(claims(next.accessToken)).toMatchObject({
      amr: ['otp'],
      auth_time: signedInAt,
      email_verified: true,
      iat: signedInAt + 600,
    });
  });

  it('REQUIRE_EMAIL_VERIFICATION: an unproven account gets 403 email_not_verified; a proof lets it in', async () => {
    const { deps, users } = await setup({ requireEmailVerification: true });
    const user = account();
    await users.create(user);
    expect(await codeOf(completeSignIn(deps, { account: user, method: 'pwd', proof: { emailVerified: false } }))).toBe(
      'email_not_verified',
    );
    expect(await codeOf(completeSignIn(deps, { account: user, method: 'otp', proof: { emailVerified: true } }))).toBe(
      'ok',
    );
  });

  it('creates a new account through the one creation function; a taken address is email_taken without a proof', async () => {
    const { deps, users } = await setup();
    await users.create(account());
    const pwd = completeSignIn(deps, {
      newAccount: { email: 'alice@example.com', passwordHash: 'h' },
      method: 'pwd',
      proof: { emailVerified: false },
    });
    expect(await codeOf(pwd)).toBe('email_taken');
    // With a proof of the address, the proof holder signs into the existing account, and the rule applies (S52).
    const link = await completeSignIn(deps, {
      newAccount: { email: 'alice@example.com' },
      method: 'otp',
      proof: { emailVerified: true },
    });
    expect(link).toMatchObject({ created: false, user: { id: 'u-1', emailVerified: true } });
    expect(link.user.passwordHash).toBeUndefined();
    const fresh = await completeSignIn(deps, {
      newAccount: { email: 'new@example.com' },
      method: 'otp',
      proof: { emailVerified: true },
    });
    expect(fresh).toMatchObject({
      created: true,
      user: { email: 'new@example.com', emailVerified: true, roles: ['user'] },
    });
  });
});

describe('Use-case: logIn through the funnel', () => {
  it('S51: a disabled account is refused with 403 only after its password matched; a wrong password stays 401', async () => {
    const { deps: base, users, clock } = await setup();
    const hasher = new Argon2Hasher();
    const deps: LoginDeps = {
      ...base,
      hasher,
      limiter: new MemoryRateLimiter(clock),
      passwordPolicy: { minLength: 15, maxLength: 256 },
      limits: { maxAttemptsPerAccount: 5, maxAttemptsPerIp: 100, windowSeconds: 900 },
      dummyHash: dummyHashFactory(hasher),
    };
    await users.create(account({ passwordHash: await hasher.hash(PASSWORD), emailVerified: true, disabled: true }));
    expect(
      await codeOf(logIn(deps, { email: 'alice@example.com', password: 'not the password at all', sourceIp: IP })),
    ).toBe('invalid_credentials');
    expect(await codeOf(logIn(deps, { email: 'alice@example.com', password: PASSWORD, sourceIp: IP }))).toBe(
      'account_disabled',
    );
  });
});

describe('Use-case: signUpWithEmail throttle', () => {
  it('S55: past SIGNUP_MAX_PER_IP, sign-up is 429 too_many_attempts + Retry-After before any hash or mail', async () => {
    const { deps: base, clock } = await setup();
    const hasher = new Argon2Hasher();
    const sent: MailMessage[] = [];
    const deps: SignUpWithEmailDeps = {
      ...base,
      hasher,
      passwordPolicy: { minLength: 15, maxLength: 256 },
      emailTokens: new MemoryEmailTokenStore(),
      emailToken: { ttlSeconds: 600, maxCodeAttempts: 5 },
      mailer: { send: async (m) => void sent.push(m) },
      templates: defaultMailTemplates,
      publicUrl: 'https://auth.test',
      limiter: new MemoryRateLimiter(clock),
      mailLimits: { perAddress: 5, perIp: 1000, windowSeconds: 900 },
      requireVerification: false,
      signupLimits: { maxPerIp: 3, windowSeconds: 900 },
    };
    const hash = vi.spyOn(hasher, 'hash');
    for (let i = 0; i < 3; i++)
      await signUpWithEmail(deps, { email: `u${i}@example.com`, password: PASSWORD, sourceIp: IP });
    expect(hash).toHaveBeenCalledTimes(3);
    const error = await signUpWithEmail(deps, { email: 'u3@example.com', password: PASSWORD, sourceIp: IP }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'too_many_attempts', status: 429, headers: { 'Retry-After': '900' } });
    expect(hash).toHaveBeenCalledTimes(3);
    expect(sent).toHaveLength(3);
    // Another source address has its own budget; the window's end lifts the limit.
    expect(
      await codeOf(signUpWithEmail(deps, { email: 'u4@example.com', password: PASSWORD, sourceIp: '198.51.100.1' })),
    ).toBe('ok');
    clock.advance(900);
    expect(await codeOf(signUpWithEmail(deps, { email: 'u5@example.com', password: PASSWORD, sourceIp: IP }))).toBe(
      'ok',
    );
  });
});

/**
 * The email flows' use-cases with in-memory stores, a fake mailer and a frozen clock: token strength and
 * storage (S29), single use and the code cap (S30), enumeration safety (S3, S33), recovery of a locked account
 * by email (S4), redirect allowlisting (S39).
 */
import { describe, expect, it, vi } from 'vitest';
import { Argon2Hasher, dummyHashFactory } from '../../shared/adapters/argon2-hasher.js';
import { MemoryEmailTokenStore } from '../../shared/adapters/memory/email-token-store.js';
import { MemoryRateLimiter } from '../../shared/adapters/memory/rate-limiter.js';
import { MemoryRefreshTokenStore } from '../../shared/adapters/memory/refresh-token-store.js';
import { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { signUpWithEmail, verifyEmail } from '../../shared/domain/email-verification.js';
import { logIn } from '../../shared/domain/login.js';
import { requestMagicLink, verifyMagicLink } from '../../shared/domain/magic-link.js';
import { defaultMailTemplates } from '../../shared/domain/mail-templates.js';
import { confirmPasswordReset, requestPasswordReset } from '../../shared/domain/password-reset.js';
import { isAllowedRedirect } from '../../shared/domain/redirect.js';
import { sha256Hex } from '../../shared/domain/secrets.js';
import { startSession } from '../../shared/domain/session.js';
import type { MailMessage, Mailer } from '../../shared/ports/mailer.js';
import { FrozenClock, memoryKeyRing } from '../helpers/fakes.js';
import { codeOf } from '../helpers/error-code.js';

const PASSWORD = 'correct horse battery staple';
const IP = '192.0.2.10';

class FakeMailer implements Mailer {
  sent: MailMessage[] = [];
  failing = false;
  async send(m: MailMessage) {
    if (this.failing) throw new Error('SES is down');
    this.sent.push(m);
  }
  last(to: string) {
    const m = this.sent.filter((x) => x.to === to).at(-1);
    const link = m?.text.match(/https?:\/\/\S+/)?.[0];
    return {
      m,
      token: link ? new URL(link).searchParams.get('token')! : undefined,
      code: m?.text.match(/code: (\d{8})/)?.[1],
    };
  }
}

async function setup(
  options: { signupAllowed?: boolean; requireVerification?: boolean; signupMaxPerIp?: number } = {},
) {
  const clock = new FrozenClock();
  const users = new MemoryUserStore();
  const hasher = new Argon2Hasher();
  const limiter = new MemoryRateLimiter(clock);
  const refreshTokens = new MemoryRefreshTokenStore(clock);
  const emailTokens = new MemoryEmailTokenStore();
  const mailer = new FakeMailer();
  const issuer = new AccessTokenIssuer(await memoryKeyRing(), clock, {
    issuer: 'https://auth.test',
    audience: 'https://auth.test',
    ttlSeconds: 900,
  });
  const session = { idleTtlSeconds: 3600, absoluteTtlSeconds: 7200 };
  const passwordPolicy = { minLength: 15, maxLength: 256 };
  const common = {
    clock,
    emailTokens,
    emailToken: { ttlSeconds: 600, maxCodeAttempts: 5 },
    mailer,
    templates: defaultMailTemplates,
    publicUrl: 'https://auth.test',
    limiter,
    mailLimits: { perAddress: 5, perIp: 50, windowSeconds: 900 },
    users,
  };
  const magic = {
    ...common,
    refreshTokens,
    issuer,
    session,
    allowedRedirectOrigins: ['https://app.example.com'],
    signupAllowed: options.signupAllowed ?? true,
    defaultRoles: ['user'],
  };
  const reset = { ...common, hasher, refreshTokens, passwordPolicy, loginWindowSeconds: 900 };
  const signup = {
    ...magic,
    hasher,
    passwordPolicy,
    requireVerification: options.requireVerification ?? false,
    signupLimits: { maxPerIp: options.signupMaxPerIp ?? 1000, windowSeconds: 900 },
  };
  const login = {
    clock,
    users,
    hasher,
    limiter,
    refreshTokens,
    issuer,
    session,
    passwordPolicy,
    limits: { maxAttemptsPerAccount: 5, maxAttemptsPerIp: 100, windowSeconds: 900 },
    dummyHash: dummyHashFactory(hasher),
    defaultRoles: ['user'],
    requireEmailVerification: options.requireVerification ?? false,
  };
  return { clock, users, mailer, emailTokens, refreshTokens, magic, reset, signup, login };
}

describe('Use-case: requestMagicLink / verifyMagicLink', () => {
  it('S51: a disabled account is refused by link and by code (403 account_disabled), and no session is made', async () => {
    const { magic, mailer, users, refreshTokens } = await setup();
    await users.create({
      id: 'u-off',
      email: 'off@example.com',
      roles: ['user'],
      emailVerified: true,
      createdAt: 0,
      disabled: true,
    });
    const createFamily = vi.spyOn(refreshTokens, 'createFamily');
    await requestMagicLink(magic, { email: 'off@example.com', sourceIp: IP });
    expect(await codeOf(verifyMagicLink(magic, { token: mailer.last('off@example.com').token! }))).toBe(
      'account_disabled',
    );
    await requestMagicLink(magic, { email: 'off@example.com', sourceIp: IP });
    expect(
      await codeOf(verifyMagicLink(magic, { email: 'off@example.com', code: mailer.last('off@example.com').code! })),
    ).toBe('account_disabled');
    expect(createFamily).not.toHaveBeenCalled();
  });

  it('S52: the verification mail keeps the sign-up password; a sign-in link into the unproven account removes it', async () => {
    const { signup, magic, mailer, users } = await setup();
    await signUpWithEmail(signup, { email: 'kept@example.com', password: PASSWORD, sourceIp: IP });
    await verifyEmail(signup, { token: mailer.last('kept@example.com').token! });
    expect((await users.findByEmail('kept@example.com'))?.passwordHash).toBeDefined();

    await signUpWithEmail(signup, { email: 'dropped@example.com', password: PASSWORD, sourceIp: IP });
    await requestMagicLink(magic, { email: 'dropped@example.com', sourceIp: IP });
    await verifyMagicLink(magic, { token: mailer.last('dropped@example.com').token! });
    const after = await users.findByEmail('dropped@example.com');
    expect(after).toMatchObject({ emailVerified: true });
    expect(after?.passwordHash).toBeUndefined();
  });

  it('S29: the token carries 256 random bits, only its hash is stored, and it lives 10 minutes', async () => {
    const { magic, mailer, emailTokens, clock } = await setup();
    await requestMagicLink(magic, { email: 'a@example.com', sourceIp: IP });
    const { token, code } = mailer.last('a@example.com');
    expect(token).toMatch(/^ml_[A-Za-z0-9_-]{43}$/); // 32 bytes = 256 bits
    const stored = JSON.stringify(emailTokens.dump());
    expect(stored).not.toContain(token!.slice(3));
    expect(stored).not.toContain(`"${code}"`);
    const record = await emailTokens.get(sha256Hex(token!));
    expect(record!.expiresAt - record!.createdAt).toBe(600);
    expect(record!.createdAt).toBe(clock.now() / 1000);
  });

  it('S29: expiry is enforced at read time: at 600 s the link and the code are refused, at 599 s they work', async () => {
    const a = await setup();
    await requestMagicLink(a.magic, { email: 'a@example.com', sourceIp: IP });
    a.clock.advance(600);
    expect(await codeOf(verifyMagicLink(a.magic, { token: a.mailer.last('a@example.com').token! }))).toBe(
      'invalid_token',
    );
    const b = await setup();
    await requestMagicLink(b.magic, { email: 'b@example.com', sourceIp: IP });
    b.clock.advance(600);
    expect(
      await codeOf(verifyMagicLink(b.magic, { email: 'b@example.com', code: b.mailer.last('b@example.com').code! })),
    ).toBe('invalid_token');
    const c = await setup();
    await requestMagicLink(c.magic, { email: 'c@example.com', sourceIp: IP });
    c.clock.advance(599);
    expect(await codeOf(verifyMagicLink(c.magic, { token: c.mailer.last('c@example.com').token! }))).toBe('ok');
  });

  it('S30: 10 parallel redeems → exactly one session', async () => {
    const { magic, mailer } = await setup();
    await requestMagicLink(magic, { email: 'a@example.com', sourceIp: IP });
    const token = mailer.last('a@example.com').token!;
    const results = await Promise.all(Array.from({ length: 10 }, () => codeOf(verifyMagicLink(magic, { token }))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'invalid_token')).toHaveLength(9);
  });

  it('S30: 5 wrong codes kill the link: the right code and the token are then refused', async () => {
    const { magic, mailer } = await setup();
    await requestMagicLink(magic, { email: 'a@example.com', sourceIp: IP });
    const { token, code } = mailer.last('a@example.com');
    const wrong = code === '12345678' ? '87654321' : '12345678';
    const guesses = await Promise.all(
      Array.from({ length: 5 }, () => codeOf(verifyMagicLink(magic, { email: 'a@example.com', code: wrong }))),
    );
    expect(guesses).toEqual(Array(5).fill('invalid_token'));
    expect(await codeOf(verifyMagicLink(magic, { email: 'a@example.com', code: code! }))).toBe('invalid_token');
    expect(await codeOf(verifyMagicLink(magic, { token: token! }))).toBe('invalid_token');
  });

  it('S3: with MAGIC_LINK_SIGNUP=false an unknown address gets no mail but the same answer, and its link never signs in', async () => {
    const { magic, mailer, emailTokens } = await setup({ signupAllowed: false });
    // The same answer as for a known address: a fresh browser binding, nothing else.
    await expect(requestMagicLink(magic, { email: 'nobody@example.com', sourceIp: IP })).resolves.toEqual({
      binding: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(mailer.sent).toHaveLength(0);
    // The same store write happened (equal work), and that link is unusable.
    const record = await emailTokens.findLatest('magic_link', sha256Hex('nobody@example.com'));
    expect(record).toBeDefined();
    expect(record!.userId).toBeUndefined();
  });

  it('S3: a send failure is 503 mail_unavailable for known and unknown addresses alike (both would send)', async () => {
    const { magic, mailer, users } = await setup();
    await users.create({ id: 'u1', email: 'known@example.com', roles: ['user'], emailVerified: true, createdAt: 0 });
    mailer.failing = true;
    expect(await codeOf(requestMagicLink(magic, { email: 'known@example.com', sourceIp: IP }))).toBe(
      'mail_unavailable',
    );
    expect(await codeOf(requestMagicLink(magic, { email: 'unknown@example.com', sourceIp: IP }))).toBe(
      'mail_unavailable',
    );
  });

  it('S33: the per-IP budget refuses the 51st mail from one address-hopping source, known or unknown', async () => {
    const { magic } = await setup();
    const results = [];
    for (let i = 0; i < 51; i++)
      results.push(await codeOf(requestMagicLink(magic, { email: `u${i}@example.com`, sourceIp: IP })));
    expect(results.slice(0, 50).every((r) => r === 'ok')).toBe(true);
    expect(results[50]).toBe('too_many_attempts');
    expect(await codeOf(requestMagicLink(magic, { email: 'other@example.com', sourceIp: '192.0.2.99' }))).toBe('ok');
  });
});

describe('Use-case: password reset', () => {
  it('S3: 202-equivalent for known and unknown; only the known address gets a mail, even when SES fails nothing leaks', async () => {
    const { reset, users, mailer } = await setup();
    await users.create({ id: 'u1', email: 'known@example.com', roles: ['user'], emailVerified: false, createdAt: 0 });
    await expect(requestPasswordReset(reset, { email: 'known@example.com', sourceIp: IP })).resolves.toBeUndefined();
    await expect(requestPasswordReset(reset, { email: 'unknown@example.com', sourceIp: IP })).resolves.toBeUndefined();
    expect(mailer.sent.map((m) => m.to)).toEqual(['known@example.com']);
    mailer.failing = true;
    await expect(requestPasswordReset(reset, { email: 'known@example.com', sourceIp: IP })).resolves.toBeUndefined();
  });

  it('S4, S27: a locked account recovers by email: reset sets the password, ends every session, lifts the lock, once', async () => {
    const { reset, login, signup, mailer, refreshTokens, users } = await setup();
    await signUpWithEmail(signup, { email: 'a@example.com', password: PASSWORD, sourceIp: IP });
    const user = (await users.findByEmail('a@example.com'))!;
    const other = await startSession(login, user);
    expect(await refreshTokens.isFamilyActive((await refreshTokens.get(sha256Hex(other.refreshToken)))!.familyId)).toBe(
      true,
    );
    for (let i = 0; i < 5; i++)
      await codeOf(logIn(login, { email: 'a@example.com', password: 'wrong password wrong', sourceIp: IP }));
    expect(await codeOf(logIn(login, { email: 'a@example.com', password: PASSWORD, sourceIp: IP }))).toBe(
      'too_many_attempts',
    );

    await requestPasswordReset(reset, { email: 'a@example.com', sourceIp: IP });
    const { token } = mailer.last('a@example.com');
    expect(await codeOf(confirmPasswordReset(reset, { token: token!, newPassword: 'short' }))).toBe('weak_password');
    await confirmPasswordReset(reset, { token: token!, newPassword: 'a brand new passphrase 42' });

    expect(await codeOf(confirmPasswordReset(reset, { token: token!, newPassword: 'another new passphrase 43' }))).toBe(
      'invalid_token',
    );
    const otherSession = await refreshTokens.get(sha256Hex(other.refreshToken));
    expect(await refreshTokens.isFamilyActive(otherSession!.familyId)).toBe(false);
    expect((await users.findById(user.id))!.emailVerified).toBe(true);
    expect(await codeOf(logIn(login, { email: 'a@example.com', password: PASSWORD, sourceIp: IP }))).toBe(
      'invalid_credentials',
    );
    expect(
      await codeOf(logIn(login, { email: 'a@example.com', password: 'a brand new passphrase 42', sourceIp: IP })),
    ).toBe('ok');
  });
});

describe('Use-case: sign-up with email verification required', () => {
  it('S3: new and existing addresses get the same outcome and exactly one mail each', async () => {
    const { signup, mailer } = await setup({ requireVerification: true });
    const first = await signUpWithEmail(signup, { email: 'a@example.com', password: PASSWORD, sourceIp: IP });
    const again = await signUpWithEmail(signup, {
      email: 'a@example.com',
      password: 'some other passphrase 9',
      sourceIp: IP,
    });
    expect(first).toEqual({ kind: 'pending' });
    expect(again).toEqual({ kind: 'pending' });
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Confirm your email address', 'You already have an account']);
  });

  it('login of an unverified account: wrong password → invalid_credentials; right one → email_not_verified; after verification → ok', async () => {
    const { signup, login, mailer } = await setup({ requireVerification: true });
    await signUpWithEmail(signup, { email: 'a@example.com', password: PASSWORD, sourceIp: IP });
    expect(await codeOf(logIn(login, { email: 'a@example.com', password: 'wrong password wrong', sourceIp: IP }))).toBe(
      'invalid_credentials',
    );
    expect(await codeOf(logIn(login, { email: 'a@example.com', password: PASSWORD, sourceIp: IP }))).toBe(
      'email_not_verified',
    );
    const { code } = mailer.last('a@example.com');
    await verifyEmail(signup, { email: 'a@example.com', code: code! });
    expect(await codeOf(logIn(login, { email: 'a@example.com', password: PASSWORD, sourceIp: IP }))).toBe('ok');
  });
});

describe('Function: isAllowedRedirect', () => {
  const allowed = ['https://app.example.com'];
  it('S39: accepts exact-origin targets only', () => {
    expect(isAllowedRedirect('https://app.example.com/', allowed)).toBe(true);
    expect(isAllowedRedirect('https://app.example.com/a?b=c#d', allowed)).toBe(true);
    expect(isAllowedRedirect('https://APP.example.com/x', allowed)).toBe(true); // the parser lower-cases hosts
  });
  it('S39: requestMagicLink uses the one strict rule (no repaired scheme, no explicit default port)', async () => {
    const { magic, mailer } = await setup();
    for (const redirectTo of ['https:app.example.com/x', 'https://app.example.com:443/x', 'https:/app.example.com/x']) {
      await expect(requestMagicLink(magic, { email: 'a@example.com', redirectTo, sourceIp: IP })).rejects.toMatchObject(
        { code: 'invalid_request' },
      );
    }
    await requestMagicLink(magic, { email: 'a@example.com', redirectTo: 'https://app.example.com/x', sourceIp: IP });
    expect(mailer.sent).toHaveLength(1);
  });
  it.each([
    'https:app.example.com/x',
    'https://app.example.com:443/x',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'https://app.example.com@evil.example',
    'https://user:pass@app.example.com/',
    'https://app.example.com.evil.example/',
    'https://app.example.com:444/',
    'http://app.example.com/',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'https://app.example.com%2F@evil.example',
    'https://app.example.com%40evil.example',
    '%2F%2Fevil.example',
    'https://аpp.example.com/', // Cyrillic а
    '/relative/path',
    '',
  ])('S39: refuses %j', (target) => {
    expect(isAllowedRedirect(target, allowed)).toBe(false);
  });
});

describe('Timing: an address that gets no mail costs about what a send costs', () => {
  it('S3: with MAGIC_LINK_SIGNUP=false, unknown-address requests take about as long as known ones (interleaved medians)', async () => {
    const { magic: base, users } = await setup({ signupAllowed: false });
    // A mail provider that takes ~30 ms per send.
    const slowMailer: Mailer = { send: () => new Promise((r) => setTimeout(r, 30)) };
    const magic = { ...base, mailer: slowMailer, mailLimits: { perAddress: 1000, perIp: 100000, windowSeconds: 900 } };
    await users.create({ id: 'u1', email: 'known@example.com', roles: ['user'], emailVerified: true, createdAt: 0 });
    const time = async (email: string) => {
      const t = performance.now();
      await requestMagicLink(magic, { email, sourceIp: IP });
      return performance.now() - t;
    };
    for (let i = 0; i < 15; i++) await time('known@example.com'); // warm the send-time estimate
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      known.push(await time('known@example.com'));
      unknown.push(await time(`nobody${i}@example.com`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.4);
  });
});

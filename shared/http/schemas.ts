import * as z from 'zod/mini';

/** Native clients ask for the refresh token in the body; browsers keep it in the HttpOnly cookie. */
export const tokenDelivery = z.optional(z.enum(['cookie', 'body'], 'must be "cookie" or "body"'));

/**
 * `{email, password}` for signup and login. Unknown fields (e.g. `roles`, `emailVerified`, `__proto__`)
 * are dropped by zod and never reach a store (S47); operator-style objects fail the type check.
 * `zod/mini` (not the full namespace) keeps the bundles small; it has no locale, so each check says its message.
 */
export const credentialsSchema = z.object({
  email: z
    .string('must be a string')
    .check(z.minLength(3, 'must be at least 3 characters'), z.maxLength(320, 'must be at most 320 characters')),
  password: z
    .string('must be a string')
    .check(z.minLength(1, 'must not be empty'), z.maxLength(4096, 'must be at most 4096 characters')),
  tokenDelivery,
});

/** Refresh and logout: the token may come in the body (native clients) instead of the cookie. */
export const refreshTokenBodySchema = z.object({
  refreshToken: z.optional(z.string('must be a string').check(z.maxLength(512, 'must be at most 512 characters'))),
  tokenDelivery,
});

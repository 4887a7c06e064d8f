import { z } from 'zod';

/** Native clients ask for the refresh token in the body; browsers keep it in the HttpOnly cookie. */
export const tokenDelivery = z.enum(['cookie', 'body']).optional();

/**
 * `{email, password}` for signup and login. Unknown fields (e.g. `roles`, `emailVerified`, `__proto__`)
 * are dropped by zod and never reach a store (S47); operator-style objects fail the type check.
 */
export const credentialsSchema = z.object({
  email: z.string().min(3).max(320),
  password: z.string().min(1).max(4096),
  tokenDelivery,
});

/** Refresh and logout: the token may come in the body (native clients) instead of the cookie. */
export const refreshTokenBodySchema = z.object({
  refreshToken: z.string().max(512).optional(),
  tokenDelivery,
});

import * as z from 'zod/mini';
import { AuthError } from '../domain/errors.js';
import type { Redemption } from '../domain/email-token.js';
import { tokenDelivery } from './schemas.js';

/** POST /auth/magic-link, POST /auth/password-reset. Unknown fields are dropped (S47). */
const str = (min: number, max: number) =>
  z
    .string('must be a string')
    .check(
      z.minLength(min, `must be at least ${min} characters`),
      z.maxLength(max, `must be at most ${max} characters`),
    );

export const emailRequestSchema = z.object({
  email: str(3, 320),
  redirectTo: z.optional(str(0, 2048)),
});

/**
 * The landing routes answer GET (the page) and POST (the redemption) in one function, so every field is
 * optional here and `redemptionOf` checks the POST body's shape: `{token}` or `{email, code}`.
 */
export const redemptionSchema = z.object({
  token: z.optional(str(0, 128)),
  email: z.optional(str(3, 320)),
  code: z.optional(str(0, 16)),
  newPassword: z.optional(str(1, 4096)),
  tokenDelivery,
});

export function redemptionOf(body: z.output<typeof redemptionSchema> | undefined): Redemption {
  if (body?.token !== undefined) return { token: body.token };
  if (body?.email !== undefined && body.code !== undefined) return { email: body.email, code: body.code };
  throw new AuthError('invalid_request', 'body: send {"token"} or {"email", "code"}');
}

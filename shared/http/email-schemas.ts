import { z } from 'zod';
import { AuthError } from '../errors.js';
import type { Redemption } from '../domain/email-token.js';
import { tokenDelivery } from './schemas.js';

/** POST /auth/magic-link, POST /auth/password-reset. Unknown fields are dropped (S47). */
export const emailRequestSchema = z.object({
  email: z.string().min(3).max(320),
  redirectTo: z.string().max(2048).optional(),
});

/**
 * The landing routes answer GET (the page) and POST (the redemption) in one function, so every field is
 * optional here and `redemptionOf` checks the POST body's shape: `{token}` or `{email, code}`.
 */
export const redemptionSchema = z.object({
  token: z.string().max(128).optional(),
  email: z.string().min(3).max(320).optional(),
  code: z.string().max(16).optional(),
  newPassword: z.string().min(1).max(4096).optional(),
  tokenDelivery,
});

export function redemptionOf(body: z.output<typeof redemptionSchema> | undefined): Redemption {
  if (body?.token !== undefined) return { token: body.token };
  if (body?.email !== undefined && body.code !== undefined) return { email: body.email, code: body.code };
  throw new AuthError('invalid_request', 'body: send {"token"} or {"email", "code"}');
}

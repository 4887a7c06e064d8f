import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { getAuthContext } from '../authorizer/auth-context.js';
import { enrolmentCaller, type MfaCaller } from '../domain/mfa/enrol.js';
import type { MfaDeps } from '../domain/mfa/deps.js';
import { tokenDelivery } from './schemas.js';

/** The social callback's carrier of the `mfaToken` (S66): HttpOnly, host-only, never in a URL. */
export const MFA_COOKIE = '__Host-mfa';

export function mfaCookie(mfaToken: string, maxAgeSeconds: number): string {
  return `${MFA_COOKIE}=${mfaToken}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=${maxAgeSeconds}`;
}
export const clearMfaCookie = () => mfaCookie('', 0);

const code = z.string('must be a string').check(z.minLength(1, 'must not be empty'), z.maxLength(64, 'is too long'));
const token = z.string('must be a string').check(z.minLength(1, 'must not be empty'), z.maxLength(256, 'is too long'));

export const mfaVerifySchema = z.object({
  mfaToken: z.optional(token),
  method: z.enum(['totp', 'recovery_code', 'webauthn'], 'must be totp, recovery_code or webauthn'),
  code: z.optional(code),
  response: z.optional(z.unknown()),
  tokenDelivery,
});

export const totpConfirmSchema = z.object({
  factorId: z.string('must be a string').check(z.minLength(1, 'must not be empty'), z.maxLength(64, 'is too long')),
  code,
  tokenDelivery,
});

/** The Bearer caller the authorizer passed, as the MFA use-cases see it. */
export function mfaCaller(event: APIGatewayProxyEventV2): MfaCaller {
  const ctx = getAuthContext(event);
  return { userId: ctx.sub, email: ctx.email, amr: ctx.amr, authTime: ctx.authTime };
}

/**
 * The caller of an enrolment route: the Bearer caller, or — when the authorizer let an `mfaToken` through
 * (MFA_POLICY=required, S59) — the account that token was issued to, redeemed here.
 */
export async function enrolmentRouteCaller(
  deps: MfaDeps,
  event: APIGatewayProxyEventV2,
  headers: Record<string, string | undefined>,
): Promise<MfaCaller> {
  const authorizer = (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> } }).authorizer;
  if (authorizer?.lambda?.mfa_enrolment !== 'true') return mfaCaller(event);
  // The authorizer checked the shape: `Bearer mfa_…`.
  const token = /^bearer +(\S+)$/i.exec(headers.authorization ?? '')?.[1] ?? '';
  return enrolmentCaller(deps, token);
}

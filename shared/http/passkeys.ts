import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { getAuthContext } from '../authorizer/auth-context.js';
import { AuthError } from '../domain/errors.js';
import type { PasskeyCaller } from '../domain/passkeys/passkeys.js';
import { tokenDelivery } from './schemas.js';

/** A WebAuthn response (JSON form); its shape is the library's to check, so only "an object" here. */
const response = z.record(z.string(), z.unknown(), 'must be a WebAuthn response object');

export const registerVerifySchema = z.object({
  response,
  name: z.optional(z.string('must be a string').check(z.maxLength(64, 'is too long'))),
});

export const authenticateVerifySchema = z.object({ response, tokenDelivery });

export const emptySchema = z.object({});

export const mfaWebauthnOptionsSchema = z.object({
  mfaToken: z.string('must be a string').check(z.minLength(1, 'must not be empty'), z.maxLength(256, 'is too long')),
});

/** A credential id in the path: base64url (WebAuthn allows up to 1023 bytes). */
export function credentialIdParam(event: APIGatewayProxyEventV2): string {
  const value = event.pathParameters?.['id'];
  if (value === undefined || !/^[A-Za-z0-9_-]{1,1400}$/.test(value))
    throw new AuthError('invalid_request', 'id: must be a passkey id');
  return value;
}

export function passkeyCaller(event: APIGatewayProxyEventV2): PasskeyCaller {
  const ctx = getAuthContext(event);
  return { userId: ctx.sub, email: ctx.email, amr: ctx.amr, authTime: ctx.authTime };
}

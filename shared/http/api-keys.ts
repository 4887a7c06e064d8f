import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { getAuthContext, scopesOf } from '../authorizer/auth-context.js';
import type { ApiKeyCaller } from '../domain/api-keys/manage.js';
import { MAX_EXPIRES_IN_DAYS } from '../domain/api-keys/manage.js';

const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** `POST /auth/api-keys`: a name, optional scopes (a subset of the caller's), optional lifetime in days (≤ 365). */
export const createApiKeySchema = z.object({
  name: z
    .string('must be a string')
    .check(z.minLength(1, 'must not be empty'), z.maxLength(100, 'must be at most 100 characters')),
  scopes: z.optional(
    z
      .array(
        z
          .string('must be a string')
          .check(z.regex(SCOPE, 'must be an OAuth scope token'), z.maxLength(128, 'is too long')),
        'must be an array of scopes',
      )
      .check(z.maxLength(50, 'must hold at most 50 scopes')),
  ),
  expiresInDays: z.optional(
    z
      .int('must be an integer')
      .check(
        z.gte(1, `must be from 1 to ${MAX_EXPIRES_IN_DAYS}`),
        z.lte(MAX_EXPIRES_IN_DAYS, `must be from 1 to ${MAX_EXPIRES_IN_DAYS}`),
      ),
  ),
});

/** The Bearer caller the authorizer passed, as the API-key use-cases see it. */
export function apiKeyCaller(event: APIGatewayProxyEventV2): ApiKeyCaller {
  const ctx = getAuthContext(event);
  return {
    userId: ctx.sub,
    roles: ctx.roles,
    scopes: scopesOf(ctx),
    ...(ctx.apiKeyId !== undefined ? { apiKeyId: ctx.apiKeyId } : {}),
    ...(ctx.clientId !== undefined ? { clientId: ctx.clientId } : {}),
  };
}

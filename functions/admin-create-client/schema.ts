import * as z from 'zod/mini';
import { SCOPE_TOKEN } from '../../shared/domain/clients/scope.js';

/** `{name, scopes, tokenEndpointAuthMethod?, jwks?}`: scopes are RFC 6749 scope tokens; jwks holds public keys. */
export const createClientSchema = z.object({
  name: z
    .string('must be a string')
    .check(z.minLength(1, 'must not be empty'), z.maxLength(100, 'must be at most 100 characters')),
  scopes: z
    .array(
      z.string('must be a string').check(z.regex(SCOPE_TOKEN, 'each scope must be an OAuth scope token')),
      'must be an array',
    )
    .check(z.maxLength(50, 'at most 50 scopes')),
  tokenEndpointAuthMethod: z.optional(
    z.enum(
      ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth'],
      'must be client_secret_basic, client_secret_post, private_key_jwt or tls_client_auth',
    ),
  ),
  /** tls_client_auth (RFC 8705 §2.1.2): the certificate subject DN, as API Gateway reports it. */
  tlsClientAuthSubjectDn: z.optional(
    z.string('must be a string').check(z.minLength(3, 'must be a DN'), z.maxLength(1024, 'at most 1024 characters')),
  ),
  jwks: z.optional(
    z.object({
      keys: z
        .array(z.looseObject({ kty: z.string('must be a string') }), 'must be an array')
        .check(z.minLength(1, 'at least one key'), z.maxLength(10, 'at most 10 keys')),
    }),
  ),
});

import { createPublicKey, randomBytes, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { AuthError } from '../errors.js';
import { newOpaqueToken, sha256Hex } from '../secrets.js';
import { securityEvent } from '../../observability/log.js';
import { nowSeconds, type Clock } from '../../ports/clock.js';
import type { ClientStore, MachineClient, TokenEndpointAuthMethod } from '../../ports/client-store.js';

export interface ClientAdminDeps {
  clock: Clock;
  clients: ClientStore;
  /** How long the previous secret keeps working after a rotation (S79), in seconds. */
  secretOverlapSeconds: number;
}

export interface RegisterClientInput {
  name: string;
  scopes: string[];
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | undefined;
  jwks?: { keys: JWK[] } | undefined;
  tlsClientAuthSubjectDn?: string | undefined;
}

/** What the admin API shows of a client: never a secret or its hash. */
export interface ClientView {
  clientId: string;
  name: string;
  scopes: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  createdAt: string;
  rotatedAt?: string;
  previousSecretExpiresAt?: string;
  jwks?: { keys: JWK[] };
  tlsClientAuthSubjectDn?: string;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export const clientView = (c: MachineClient): ClientView => ({
  clientId: c.clientId,
  name: c.name,
  scopes: c.scopes,
  tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
  createdAt: iso(c.createdAt),
  ...(c.rotatedAt !== undefined ? { rotatedAt: iso(c.rotatedAt) } : {}),
  ...(c.previousSecretExpiresAt !== undefined ? { previousSecretExpiresAt: iso(c.previousSecretExpiresAt) } : {}),
  ...(c.jwks ? { jwks: c.jwks } : {}),
  ...(c.tlsClientAuthSubjectDn ? { tlsClientAuthSubjectDn: c.tlsClientAuthSubjectDn } : {}),
});

/**
 * A client secret: 256 random bits (S74), base64url, with a `cs_` prefix so a leaked one is recognisable.
 * Stored as SHA-256 only. A fast hash is right here, unlike for passwords: a secret with 256 bits of entropy cannot
 * be guessed from its hash at any hashing speed, so argon2's cost would buy nothing and would make every token
 * request (a public, unauthenticated endpoint) cost ~15 ms of CPU.
 */
const newSecret = () => newOpaqueToken('cs');

/** Client ids are identifiers, not secrets: 128 random bits keep them unguessable all the same. */
const newClientId = () => randomBytes(16).toString('base64url');

const notFound = () => new AuthError('not_found', 'No client with this id.');

/**
 * Registers a machine client. The secret is in the answer only, once (S74); `private_key_jwt` clients get none,
 * they prove themselves with assertions signed by a key of `jwks`.
 */
export async function registerClient(
  deps: ClientAdminDeps,
  actorId: string,
  input: RegisterClientInput,
): Promise<ClientView & { clientSecret?: string }> {
  const method = input.tokenEndpointAuthMethod ?? 'client_secret_basic';
  if (method === 'private_key_jwt') {
    if (!input.jwks) throw new AuthError('invalid_request', 'jwks: required for private_key_jwt');
    checkPublicKeys(input.jwks.keys);
  } else if (input.jwks) {
    throw new AuthError('invalid_request', 'jwks: only for private_key_jwt');
  }
  if ((method === 'tls_client_auth') !== (input.tlsClientAuthSubjectDn !== undefined))
    throw new AuthError('invalid_request', 'tlsClientAuthSubjectDn: required for tls_client_auth, and only for it');
  const secret = method === 'private_key_jwt' || method === 'tls_client_auth' ? undefined : newSecret();
  const client: MachineClient = {
    clientId: newClientId(),
    name: input.name,
    scopes: [...new Set(input.scopes)],
    tokenEndpointAuthMethod: method,
    ...(secret ? { secretHash: sha256Hex(secret) } : {}),
    ...(input.jwks ? { jwks: { keys: input.jwks.keys } } : {}),
    ...(input.tlsClientAuthSubjectDn ? { tlsClientAuthSubjectDn: input.tlsClientAuthSubjectDn } : {}),
    createdAt: nowSeconds(deps.clock),
    createdBy: actorId,
  };
  await deps.clients.create(client);
  securityEvent('client_created', { clientId: client.clientId, by: actorId, method, scopes: client.scopes.join(' ') });
  return { ...clientView(client), ...(secret ? { clientSecret: secret } : {}) };
}

export async function listClients(deps: ClientAdminDeps): Promise<ClientView[]> {
  return (await deps.clients.list()).map(clientView);
}

/**
 * A new secret; the previous one keeps working until `previousSecretExpiresAt`, `secretOverlapSeconds` from now
 * (S79), so a service can roll the new one out without downtime. Rotating again inside the overlap ends the
 * older secret at once: only the secret just replaced is ever still valid beside the current one.
 */
export async function rotateClientSecret(
  deps: ClientAdminDeps,
  actorId: string,
  clientId: string,
): Promise<{ clientSecret: string; previousSecretExpiresAt: string }> {
  const now = nowSeconds(deps.clock);
  const secret = newSecret();
  const previousExpiresAt = now + deps.secretOverlapSeconds;
  if (!(await deps.clients.rotateSecret(clientId, sha256Hex(secret), previousExpiresAt, now))) {
    const client = await deps.clients.get(clientId);
    if (client && client.deletedAt === undefined)
      throw new AuthError(
        'invalid_request',
        `This client authenticates with ${client.tokenEndpointAuthMethod}: it has no secret.`,
      );
    throw notFound();
  }
  securityEvent('client_secret_rotated', { clientId, by: actorId, previousSecretExpiresAt: previousExpiresAt });
  return { clientSecret: secret, previousSecretExpiresAt: iso(previousExpiresAt) };
}

/** Deletes a client: from this write on, no token request of it succeeds (S76). Issued tokens live out their `exp`. */
export async function deleteClient(deps: ClientAdminDeps, actorId: string, clientId: string): Promise<void> {
  if (!(await deps.clients.delete(clientId, nowSeconds(deps.clock)))) throw notFound();
  securityEvent('client_deleted', { clientId, by: actorId });
}

const PUBLIC_KEY_TYPES = new Set(['EC', 'RSA', 'OKP']);

/** Public keys only, each one importable: a private key sent by mistake is refused, never stored. */
function checkPublicKeys(keys: JWK[]): void {
  for (const [i, key] of keys.entries()) {
    if (!PUBLIC_KEY_TYPES.has(String(key.kty)) || 'd' in key || 'p' in key || 'k' in key) {
      throw new AuthError('invalid_request', `jwks.keys.${i}: must be an EC, RSA or OKP public key`);
    }
    try {
      createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
    } catch {
      throw new AuthError('invalid_request', `jwks.keys.${i}: is not a valid public key`);
    }
  }
}

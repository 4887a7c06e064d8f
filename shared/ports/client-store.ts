/**
 * Machine clients (OAuth 2.0 client credentials, RFC 6749 §4.4): services that get access tokens for themselves.
 * They never enter the sign-in funnel: no password, no factors, no refresh family.
 */
import type { JWK } from 'jose';

/** How a client authenticates at the token endpoint (RFC 7591 `token_endpoint_auth_method`). */
export type TokenEndpointAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'tls_client_auth';

/** What discovery advertises; `tls_client_auth` only where the API is fronted by a mutual-TLS domain. */
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
];

/** Algorithms a client's assertion may be signed with: asymmetric only (no `none`, no HMAC). */
export const ASSERTION_ALGORITHMS: readonly string[] = ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA'];

export interface MachineClient {
  clientId: string;
  name: string;
  /** The scopes this client may ever be given; a token request may only narrow them (S76). */
  scopes: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** SHA-256 (hex) of the secret; the secret itself is shown once and never stored (S74). */
  secretHash?: string;
  /** The secret before the last rotation, valid until `previousSecretExpiresAt` (S79). */
  previousSecretHash?: string;
  /** Epoch seconds. */
  previousSecretExpiresAt?: number;
  /**
   * `tls_client_auth` (RFC 8705 §2.1.2): the subject DN its certificate must carry, exactly as API Gateway reports it
   * (`requestContext.authentication.clientCert.subjectDN`) after checking the chain against the truststore.
   */
  tlsClientAuthSubjectDn?: string;
  /** `private_key_jwt`: the client's public keys, which its assertions are verified against. */
  jwks?: { keys: JWK[] };
  /** Epoch seconds. */
  createdAt: number;
  /** The admin who registered it. */
  createdBy: string;
  /** Epoch seconds of the last secret rotation. */
  rotatedAt?: number;
  /**
   * Set by delete: the record stays as a tombstone without any credential, so a later token request is refused
   * and reported as "used after deletion" (S80) rather than as an unknown client.
   */
  deletedAt?: number;
}

export interface ClientStore {
  /** Throws `ConditionFailedError` when the id is taken. */
  create(client: MachineClient): Promise<void>;
  /** Tombstones included: the caller checks `deletedAt`. */
  get(clientId: string): Promise<MachineClient | undefined>;
  /** Every live client (no tombstones). */
  list(): Promise<MachineClient[]>;
  /**
   * One conditional write: the current hash becomes the previous one, valid until `previousExpiresAt`, and
   * `secretHash` the new one. False when there is no live client with a secret.
   */
  rotateSecret(clientId: string, secretHash: string, previousExpiresAt: number, now: number): Promise<boolean>;
  /** Tombstones the client and drops its credentials; false when there was no live client. */
  delete(clientId: string, now: number): Promise<boolean>;
}

/**
 * The `jti`s of client assertions already used (RFC 7523 §3 item 7): single use by a conditional write, kept
 * until the assertion would have expired anyway (TTL).
 */
export interface AssertionReplayStore {
  /** True the first time `(clientId, jti)` is seen before `expiresAt` (epoch seconds); false on a replay. */
  use(clientId: string, jti: string, expiresAt: number, now: number): Promise<boolean>;
}

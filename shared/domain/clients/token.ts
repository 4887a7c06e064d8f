import { createHash, X509Certificate } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { AuthError } from '../errors.js';
import { constantTimeEqual, sha256Hex } from '../secrets.js';
import type { AccessTokenIssuer } from '../access-token.js';
import { securityEvent } from '../../observability/log.js';
import { nowSeconds, type Clock } from '../../ports/clock.js';
import {
  ASSERTION_ALGORITHMS,
  type AssertionReplayStore,
  type ClientStore,
  type MachineClient,
  type TokenEndpointAuthMethod,
} from '../../ports/client-store.js';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import { parseScope } from './scope.js';

export interface ClientTokenDeps {
  clock: Clock;
  clients: ClientStore;
  replay: AssertionReplayStore;
  limiter: RateLimiter;
  issuer: Pick<AccessTokenIssuer, 'issueClientToken'>;
  /** Our issuer identifier and token endpoint URL: the audiences a client assertion may name (S74). */
  issuerId: string;
  tokenEndpoint: string;
  /** The token endpoint on the mutual-TLS domain (RFC 8705 §5), also a valid assertion audience. */
  mtlsTokenEndpoint?: string | undefined;
  limits: { maxPerClient: number; windowSeconds: number };
}

export interface TokenRequest {
  /** The form parameters, each at most once (RFC 6749 §3.2). */
  form: Record<string, string>;
  /** The `Authorization` header, if any. */
  authorization?: string | undefined;
  /**
   * The client certificate of a mutual-TLS connection, as API Gateway passes it after verifying the chain against
   * the domain's truststore (`requestContext.authentication.clientCert`).
   */
  clientCert?: { pem: string; subjectDn: string } | undefined;
}

/** RFC 6749 §5.1. */
export interface ClientTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** S74: an assertion may not be valid for more than 5 minutes from now. */
const MAX_ASSERTION_LIFETIME_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 30;

interface Presented {
  method: TokenEndpointAuthMethod;
  clientId: string;
  secret?: string;
  assertion?: string;
  cert?: { pem: string; subjectDn: string };
}

const invalidClient = (basic: boolean, description = 'Client authentication failed.') =>
  new AuthError('invalid_client', description, {
    // RFC 6749 §5.2: a client that tried HTTP Basic is answered with the scheme it used.
    ...(basic ? { headers: { 'WWW-Authenticate': 'Basic realm="token", charset="UTF-8"' } } : {}),
  });

/**
 * The client credentials grant (RFC 6749 §4.4): authenticate the client by its registered method, narrow the
 * scopes (never widen them, S76), sign a client token. Every refusal is a security event (S80) and answers one
 * generic `invalid_client`, whatever was wrong.
 */
export async function clientCredentialsGrant(deps: ClientTokenDeps, req: TokenRequest): Promise<ClientTokenResponse> {
  const grantType = req.form['grant_type'];
  if (grantType === undefined) throw new AuthError('invalid_request', 'grant_type is required.');
  if (grantType !== 'client_credentials')
    throw new AuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported.');

  const presented = presentedCredentials(req);
  const basic = presented.method === 'client_secret_basic';
  // Throttled per client id before any credential is checked, so the work one id can cause is bounded (S75).
  const decision = await deps.limiter.consume(
    `client-token#${presented.clientId}`,
    deps.limits.maxPerClient,
    deps.limits.windowSeconds,
  );
  if (!decision.allowed) {
    securityEvent('client_token_refused', { clientId: presented.clientId, reason: 'throttled' });
    throw new AuthError('too_many_attempts', 'Too many token requests for this client; retry later.', {
      headers: { 'Retry-After': String(decision.retryAfterSeconds) },
    });
  }

  const now = nowSeconds(deps.clock);
  const client = await deps.clients.get(presented.clientId);
  if (!client) {
    securityEvent('client_token_refused', { clientId: presented.clientId, reason: 'unknown_client' });
    throw invalidClient(basic);
  }
  if (client.deletedAt !== undefined) {
    securityEvent('client_deleted_used', { clientId: client.clientId, method: presented.method }, 'error');
    throw invalidClient(basic);
  }
  if (client.tokenEndpointAuthMethod !== presented.method) {
    securityEvent('client_token_refused', { clientId: client.clientId, reason: 'wrong_auth_method' });
    throw invalidClient(basic);
  }
  const failure =
    presented.method === 'private_key_jwt'
      ? await checkAssertion(deps, client, presented.assertion ?? '', now)
      : presented.method === 'tls_client_auth'
        ? checkCertificate(client, presented.cert)
        : checkSecret(client, presented.secret ?? '', now);
  if (failure) {
    securityEvent('client_token_refused', { clientId: client.clientId, reason: failure });
    throw invalidClient(basic);
  }

  const scopes = grantedScopes(client, req.form['scope']);
  const scope = scopes.join(' ');
  // RFC 8705 §3: a token got with a certificate is bound to it; a resource server refuses it without that certificate.
  const cnf =
    presented.method === 'tls_client_auth' && presented.cert ? certificateBinding(presented.cert.pem) : undefined;
  const token = await deps.issuer.issueClientToken(client.clientId, scope, cnf);
  securityEvent('client_token_issued', { clientId: client.clientId, method: presented.method, scope });
  return { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn, scope };
}

/** Exactly one way of authenticating (RFC 6749 §2.3: a client MUST NOT use more than one). */
function presentedCredentials(req: TokenRequest): Presented {
  const { form } = req;
  const auth = req.authorization?.trim();
  const viaBasic = auth !== undefined && /^basic\s/i.test(auth);
  const viaPost = form['client_secret'] !== undefined;
  const viaJwt = form['client_assertion'] !== undefined || form['client_assertion_type'] !== undefined;
  if (Number(viaBasic) + Number(viaPost) + Number(viaJwt) > 1)
    throw new AuthError('invalid_request', 'Use exactly one client authentication method.');

  if (viaBasic) {
    const basic = parseBasic(auth.replace(/^basic\s+/i, ''));
    if (!basic) throw invalidClient(true, 'The Basic credentials are malformed.');
    if (form['client_id'] !== undefined && form['client_id'] !== basic.clientId)
      throw new AuthError('invalid_request', 'client_id differs from the authenticated client.');
    return { method: 'client_secret_basic', clientId: basic.clientId, secret: basic.secret };
  }
  if (viaJwt) {
    if (form['client_assertion_type'] !== JWT_BEARER_ASSERTION || !form['client_assertion'])
      throw new AuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}.`);
    const clientId = assertionSubject(form['client_assertion']);
    if (clientId === undefined || (form['client_id'] !== undefined && form['client_id'] !== clientId)) {
      securityEvent('client_token_refused', { clientId: form['client_id'], reason: 'malformed_assertion' });
      throw invalidClient(false);
    }
    return { method: 'private_key_jwt', clientId, assertion: form['client_assertion'] };
  }
  const clientId = form['client_id'];
  if (viaPost && clientId) return { method: 'client_secret_post', clientId, secret: form['client_secret'] ?? '' };
  // RFC 8705 §2: the TLS connection authenticates the client, the form only names it.
  if (clientId && req.clientCert) return { method: 'tls_client_auth', clientId, cert: req.clientCert };
  throw invalidClient(false, 'Client authentication is required.');
}

/** RFC 6749 §2.3.1: the id and the secret are form-urlencoded before Basic encoding. */
function parseBasic(encoded: string): { clientId: string; secret: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    const unescape = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** The unverified `sub` of an assertion, only to find whose keys to verify it with (and `iss` must equal it). */
function assertionSubject(assertion: string): string | undefined {
  try {
    const { iss, sub } = decodeJwt(assertion);
    return typeof sub === 'string' && sub !== '' && sub === iss ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The current secret, or the previous one inside its overlap (S79). Both hashes are always compared, each in
 * constant time (S74), so the answer's timing says nothing about which one matched or how much of it did.
 */
function checkSecret(client: MachineClient, secret: string, now: number): string | undefined {
  const presented = sha256Hex(secret);
  const current = client.secretHash !== undefined && constantTimeEqual(presented, client.secretHash);
  const previousLive = client.previousSecretExpiresAt !== undefined && client.previousSecretExpiresAt > now;
  const previous = client.previousSecretHash !== undefined && constantTimeEqual(presented, client.previousSecretHash);
  if (current || (previous && previousLive)) return undefined;
  return previous ? 'previous_secret_expired' : 'bad_secret';
}

/**
 * RFC 7523 §3: signed by one of the client's registered keys, `iss` = `sub` = client id, our issuer identifier or
 * token endpoint in `aud`, `exp` at most 5 minutes ahead, and a `jti` never seen before (S74). The issuer
 * identifier is accepted beside the endpoint URL because draft-ietf-oauth-rfc7523bis makes it the one value
 * clients send (oauth4webapi does); both name this server only.
 */
async function checkAssertion(
  deps: ClientTokenDeps,
  client: MachineClient,
  assertion: string,
  now: number,
): Promise<string | undefined> {
  if (!client.jwks?.keys.length) return 'no_keys';
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks), {
      issuer: client.clientId,
      subject: client.clientId,
      audience: [deps.tokenEndpoint, deps.issuerId, ...(deps.mtlsTokenEndpoint ? [deps.mtlsTokenEndpoint] : [])],
      algorithms: [...ASSERTION_ALGORITHMS],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now * 1000),
    }));
  } catch {
    return 'bad_assertion';
  }
  const exp = payload.exp as number;
  if (exp > now + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) return 'assertion_too_long';
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) return 'bad_assertion';
  // Kept until the assertion could no longer be accepted anyway; the conditional put makes a replay lose (S74).
  if (!(await deps.replay.use(client.clientId, payload.jti, exp + CLOCK_TOLERANCE_SECONDS, now)))
    return 'assertion_replayed';
  return undefined;
}

/** RFC 8705 §2.1.2: the certificate's subject DN is the registered one, compared exactly. */
function checkCertificate(client: MachineClient, cert: Presented['cert']): string | undefined {
  if (!cert || !client.tlsClientAuthSubjectDn) return 'no_certificate';
  return cert.subjectDn === client.tlsClientAuthSubjectDn ? undefined : 'wrong_certificate';
}

/** RFC 8705 §3.1: `x5t#S256` = base64url(SHA-256(DER of the certificate)). */
export function certificateBinding(pem: string): { 'x5t#S256': string } {
  const der = new X509Certificate(pem).raw;
  return { 'x5t#S256': createHash('sha256').update(der).digest('base64url') };
}

/** No `scope`: every scope the client was granted (RFC 6749 §3.3). Otherwise a subset, never more (S76). */
function grantedScopes(client: MachineClient, requested: string | undefined): string[] {
  if (requested === undefined) return client.scopes;
  const tokens = parseScope(requested);
  if (!tokens) throw new AuthError('invalid_scope', 'scope: not a list of scope tokens.');
  const extra = tokens.filter((t) => !client.scopes.includes(t));
  if (extra.length) {
    securityEvent('client_token_refused', { clientId: client.clientId, reason: 'scope_not_granted' });
    throw new AuthError('invalid_scope', 'The client was not granted every requested scope.');
  }
  return tokens;
}

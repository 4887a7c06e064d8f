/**
 * What the Lambda authorizer hands to protected Lambdas, and the typed helper that reads it.
 *
 * Encoding (one for HTTP API and REST API): every context value is a string. REST API only accepts
 * string/number/boolean context values, so `roles` travels as a **space-separated string** (like
 * OAuth's `scope`), e.g. `"user admin"`. Role names never contain whitespace: the authorizer drops
 * any that do (dropping can only remove privileges, never add them).
 */
import { AuthError } from '../domain/errors.js';

export interface AuthContext {
  sub: string;
  email: string;
  /** Whether the token asserts a proven address (S53): check it before trusting `email`. */
  emailVerified: boolean;
  roles: string[];
  /** Space-separated OAuth scopes. */
  scope: string;
  jti: string;
  /** How the session's sign-in authenticated (RFC 8176), e.g. `['otp']`. */
  amr: string[];
  /** When that sign-in happened (epoch seconds), when the token says. */
  authTime?: number;
  /** Set when the caller presented a personal API key (`lak_…`) instead of a token: the key's id. */
  apiKeyId?: string;
  /** Set for a machine client's token: its `client_id` (`sub` is the same). */
  clientId?: string;
}

/** The wire form of `AuthContext` as the authorizer returns it in `context`. */
export interface AuthorizerContext {
  sub: string;
  email: string;
  /** Space-separated role names. */
  roles: string;
  scope: string;
  jti: string;
  /** `"true"` or `"false"`. */
  email_verified: string;
  /** Space-separated amr values. */
  amr: string;
  /** Epoch seconds, or absent. */
  auth_time?: string;
  /** The API key's id, when the caller used one. */
  api_key_id?: string;
  /** The machine client's id, for a client token. */
  client_id?: string;
  [key: string]: string | undefined;
}

const ROLE = /^\S+$/;

/**
 * The names that can travel space-separated (non-empty, no whitespace), joined with one space. The list is copied only
 * when it holds a name that cannot: nearly every token's roles and amr are clean, and this runs on every request.
 */
function spaceSeparated(names: readonly string[]): string {
  for (const name of names) {
    if (!ROLE.test(name)) return names.filter((n) => ROLE.test(n)).join(' ');
  }
  return names.length === 1 ? names[0] : names.join(' ');
}

/** Authorizer side: encodes verified claims for `context`. */
export function encodeAuthContext(ctx: AuthContext): AuthorizerContext {
  const context: AuthorizerContext = {
    sub: ctx.sub,
    email: ctx.email,
    roles: spaceSeparated(ctx.roles),
    scope: ctx.scope,
    jti: ctx.jti,
    email_verified: ctx.emailVerified ? 'true' : 'false',
    amr: spaceSeparated(ctx.amr),
  };
  // Present only when known (no `undefined` members): assigned, not spread, on this per-request path.
  if (ctx.authTime !== undefined) context.auth_time = String(ctx.authTime);
  if (ctx.apiKeyId !== undefined) context.api_key_id = ctx.apiKeyId;
  if (ctx.clientId !== undefined) context.client_id = ctx.clientId;
  return context;
}

/** Thrown when a Lambda reads an identity that no authorizer supplied: a deployment error, not a client one. */
export class MissingAuthContextError extends Error {
  override readonly name = 'MissingAuthContextError';
  constructor() {
    super('No Lambda authorizer context on this event: is the route protected by the authorizer?');
  }
}

/** The parts of an API Gateway event this helper reads (HTTP API payload 2.0 or REST API). */
export interface EventWithAuthorizer {
  // `object`, not `{ authorizer?: unknown }`: API Gateway's event types do not declare `authorizer` on every
  // variant, and a weak type would refuse them.
  requestContext?: object | null;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/**
 * Reads the identity the authorizer passed. HTTP API (payload 2.0) puts it under
 * `requestContext.authorizer.lambda`; REST API puts it directly under `requestContext.authorizer`.
 * Throws `MissingAuthContextError` when there is none (the route was not protected), so a Lambda
 * can never mistake "no authorizer" for "anonymous but allowed".
 * @example
 * const ctx = getAuthContext(event);
 * requireRole(ctx, 'admin');
 */
export function getAuthContext(event: EventWithAuthorizer): AuthContext {
  const authorizer = (event.requestContext as { authorizer?: unknown } | null | undefined)?.authorizer;
  if (typeof authorizer !== 'object' || authorizer === null) throw new MissingAuthContextError();
  const lambda = (authorizer as { lambda?: unknown }).lambda;
  const raw = (typeof lambda === 'object' && lambda !== null ? lambda : authorizer) as Record<string, unknown>;
  const sub = str(raw.sub);
  const jti = str(raw.jti);
  if (!sub || !jti) throw new MissingAuthContextError();
  const roles = str(raw.roles) ?? '';
  const authTime = Number(str(raw.auth_time));
  const apiKeyId = str(raw.api_key_id);
  const clientId = str(raw.client_id);
  return {
    sub,
    email: str(raw.email) ?? '',
    // Only an explicit "true" counts: a missing value never reads as a proven address.
    emailVerified: str(raw.email_verified) === 'true',
    roles: roles.split(/\s+/).filter(Boolean),
    scope: str(raw.scope) ?? '',
    jti,
    amr: (str(raw.amr) ?? '').split(/\s+/).filter(Boolean),
    ...(Number.isInteger(authTime) && authTime > 0 ? { authTime } : {}),
    ...(apiKeyId ? { apiKeyId } : {}),
    ...(clientId ? { clientId } : {}),
  };
}

/** The scopes in `ctx.scope` as a list. */
export const scopesOf = (ctx: Pick<AuthContext, 'scope'>): string[] => ctx.scope.split(/\s+/).filter(Boolean);

/** True when the caller holds at least one of `roles` (an empty list asks for nothing). */
export const hasAnyRole = (ctx: Pick<AuthContext, 'roles'>, roles: readonly string[]): boolean =>
  roles.length === 0 || roles.some((r) => ctx.roles.includes(r));

/** True when the caller's scope contains every one of `scopes`. */
export const hasAllScopes = (ctx: Pick<AuthContext, 'scope'>, scopes: readonly string[]): boolean => {
  if (scopes.length === 0) return true;
  const held = scopesOf(ctx);
  return scopes.every((s) => held.includes(s));
};

/**
 * Throws `AuthError('forbidden')` (403) unless the caller holds at least one of `roles`.
 * @example requireRole(getAuthContext(event), 'admin', 'support');
 */
export function requireRole(ctx: AuthContext, ...roles: string[]): void {
  if (!hasAnyRole(ctx, roles)) throw new AuthError('forbidden', 'You do not have permission to do this.');
}

/**
 * Throws `AuthError('forbidden')` (403) unless the caller's scope contains every one of `scopes`.
 * @example requireScope(getAuthContext(event), 'profile:read');
 */
export function requireScope(ctx: AuthContext, ...scopes: string[]): void {
  if (!hasAllScopes(ctx, scopes)) throw new AuthError('forbidden', 'You do not have permission to do this.');
}

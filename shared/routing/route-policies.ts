import { ConfigError } from '../config/config-error.js';
import type { RouteDefinition } from './routes.js';

export type RouteRequirements = NonNullable<RouteDefinition['auth']>;

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \/[^\s]*$/;
const NAME = /^[\x21-\x7e]{1,64}$/;

/**
 * ROUTE_POLICIES: the roles, scopes and step-up (`mfa`, `maxAuthAgeSeconds`, S65) other teams' routes require, as the CDK construct's `protectRoute` declares
 * them — JSON `{ "GET /orders": { "roles": ["clerk"], "scopes": ["orders:read"] } }`, keyed by API Gateway route key.
 * Hand-validated (no zod) to keep the authorizer bundle small; errors name the variable like `loadConfig`.
 */
export function parseRoutePolicies(raw: string | undefined): Record<string, RouteRequirements> {
  if (raw === undefined || raw === '') return {};
  const fail = (why: string) => new ConfigError(`Invalid configuration: ROUTE_POLICIES: ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw fail('must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('must be a JSON object');
  const out: Record<string, RouteRequirements> = Object.create(null) as Record<string, RouteRequirements>;
  for (const [key, policy] of Object.entries(value)) {
    if (!ROUTE_KEY.test(key)) throw fail(`"${key.slice(0, 80)}" is not a route key like "GET /orders"`);
    const p = policy as { roles?: unknown; scopes?: unknown; mfa?: unknown; maxAuthAgeSeconds?: unknown };
    const list = (v: unknown, what: string) => {
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && NAME.test(x)))
        throw fail(`${key}: ${what} must be an array of names`);
      return v as string[];
    };
    if (p?.mfa !== undefined && typeof p.mfa !== 'boolean') throw fail(`${key}: mfa must be true or false`);
    const age = p?.maxAuthAgeSeconds;
    if (age !== undefined && !(Number.isSafeInteger(age) && (age as number) > 0))
      throw fail(`${key}: maxAuthAgeSeconds must be a positive integer`);
    out[key] = {
      roles: list(p?.roles, 'roles'),
      scopes: list(p?.scopes, 'scopes'),
      // Only present when declared, so a policy without step-up reads exactly as before.
      ...(p?.mfa ? { mfa: true } : {}),
      ...(age !== undefined ? { maxAuthAgeSeconds: age as number } : {}),
    };
  }
  return out;
}

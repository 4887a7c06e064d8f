/**
 * The authorizer's configuration: the seven variables a token verifier reads, validated with the same rules
 * as `shared/config/config.ts` (test/unit/config.test.ts proves both agree). A schema of its own because the full one
 * brings zod's pipes, arrays and regexes into a bundle whose budget is 30 KB; this one keeps the authorizer at
 * zod/mini's small core. Errors name the variable, like `loadConfig`.
 */
import * as z from 'zod/mini';
import { VERIFIER_BOUNDS } from './verifier-bounds.js';
import { ConfigError } from './config-error.js';

// Only `z.string`, `z.enum`, `z.optional` and `z.refine`: each further zod/mini schema type costs ~1 KB of
// bundle, so numbers are checked as strings here (as `Number()` reads them, like `z.coerce.number()`) and converted after validation.
const refined = (test: (s: string) => boolean, message: string) =>
  z.optional(z.string(message).check(z.refine(test, message)));
type BoundedName = keyof typeof VERIFIER_BOUNDS;
// Each bounded setting's name is spelled once, in VERIFIER_BOUNDS: its schema and default are made by a loop.
const BOUNDED = Object.entries(VERIFIER_BOUNDS) as [BoundedName, (typeof VERIFIER_BOUNDS)[BoundedName]][];
const int = (min: number, max: number) =>
  refined(
    (s) => s.trim() !== '' && Number.isInteger(Number(s)) && Number(s) >= min && Number(s) <= max,
    `must be an integer from ${min} to ${max}`,
  );
const isUrl = (s: string) => {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
};

export const verifierConfigSchema = z.object({
  ISSUER: z.string('must be a URL').check(
    z.refine(isUrl, 'must be a URL'),
    z.refine((s) => !s.endsWith('/'), 'must not end with a slash'),
  ),
  AUDIENCE: refined((s) => s.length > 0, 'must not be empty'),
  SIGNING_ALG: z.optional(z.enum(['ES256', 'RS256', 'EdDSA'], 'must be ES256, RS256 or EdDSA')),
  JWKS_URL: refined(isUrl, 'must be a URL'),
  ...(Object.fromEntries(BOUNDED.map(([name, [, min, max]]) => [name, int(min, max)])) as Record<
    BoundedName,
    ReturnType<typeof int>
  >),
});

export interface VerifierConfig {
  ISSUER: string;
  AUDIENCE: string;
  /**
   * Validated like the full config, but never used to verify (S56): each token verifies with the algorithm its
   * key declares, so a ring holding keys of an old and a new algorithm across a switch locks nobody out.
   */
  SIGNING_ALG: 'ES256' | 'RS256' | 'EdDSA';
  CLOCK_TOLERANCE_SECONDS: number;
  JWKS_URL: string;
  JWKS_COOLDOWN_SECONDS: number;
  JWKS_CACHE_SECONDS: number;
}

/**
 * Parses what a verifier needs from the environment; throws `ConfigError` naming every bad variable.
 * @example const config = loadVerifierConfig(process.env);
 */
export function loadVerifierConfig(env: Record<string, string | undefined> = process.env): VerifierConfig {
  const relevant = Object.fromEntries(
    Object.keys(verifierConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = z.safeParse(verifierConfigSchema, relevant);
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const c = parsed.data;
  // The same defaults as shared/config/config.ts.
  return {
    ISSUER: c.ISSUER,
    AUDIENCE: c.AUDIENCE ?? c.ISSUER,
    SIGNING_ALG: c.SIGNING_ALG ?? 'ES256',
    JWKS_URL: c.JWKS_URL ?? `${c.ISSUER}/.well-known/jwks.json`,
    ...(Object.fromEntries(BOUNDED.map(([name, [fallback]]) => [name, Number(c[name] ?? fallback)])) as Record<
      BoundedName,
      number
    >),
  };
}

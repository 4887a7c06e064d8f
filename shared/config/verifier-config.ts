/**
 * The authorizer's configuration: the seven variables a token verifier reads, validated with the same rules
 * as `shared/config/config.ts` (test/unit/config.test.ts proves both agree). A schema of its own because the full one
 * brings zod into a bundle whose budget is 30 KB; this one is plain checks. Errors name the variable, like
 * `loadConfig`.
 */
import { VERIFIER_BOUNDS } from './verifier-bounds.js';
import { ConfigError } from './config-error.js';

type Check = (s: string) => boolean;
// Plain checks rather than zod/mini: zod's core alone was ~13 KB of this 30 KB bundle and ~2 ms of its import
// (test/README.md, Performance). Numbers are read as `Number()` reads them, like `z.coerce.number()`.
const int = (name: keyof typeof VERIFIER_BOUNDS, [, min, max] = VERIFIER_BOUNDS[name]): [Check, string] => [
  (s) => s.trim() !== '' && Number.isInteger(Number(s)) && Number(s) >= min && Number(s) <= max,
  `must be an integer from ${min} to ${max}`,
];
const isUrl = (s: string) => {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
};
const ALGS = ['ES256', 'RS256', 'EdDSA'];

/** Each variable: its checks, in order, with the message of the first that fails. `ISSUER` alone is required. */
const RULES: Record<string, [Check, string][]> = {
  ISSUER: [
    [isUrl, 'must be a URL'],
    [(s) => !s.endsWith('/'), 'must not end with a slash'],
  ],
  AUDIENCE: [[(s) => s.length > 0, 'must not be empty']],
  SIGNING_ALG: [[(s) => ALGS.includes(s), 'must be ES256, RS256 or EdDSA']],
  CLOCK_TOLERANCE_SECONDS: [int('CLOCK_TOLERANCE_SECONDS')],
  JWKS_URL: [[isUrl, 'must be a URL']],
  JWKS_COOLDOWN_SECONDS: [int('JWKS_COOLDOWN_SECONDS')],
  JWKS_CACHE_SECONDS: [int('JWKS_CACHE_SECONDS')],
};

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
  const c: Record<string, string | undefined> = {};
  const issues: string[] = [];
  for (const [name, checks] of Object.entries(RULES)) {
    const value = env[name] === '' ? undefined : env[name];
    c[name] = value;
    if (value === undefined) {
      if (name === 'ISSUER') issues.push(`${name}: must be a URL`);
      continue;
    }
    const failed = checks.find(([check]) => !check(value));
    if (failed) issues.push(`${name}: ${failed[1]}`);
  }
  if (issues.length > 0) throw new ConfigError(`Invalid configuration: ${issues.join('; ')}`);
  const issuer = c.ISSUER!;
  // The same defaults as shared/config/config.ts.
  return {
    ISSUER: issuer,
    AUDIENCE: c.AUDIENCE ?? issuer,
    SIGNING_ALG: (c.SIGNING_ALG ?? 'ES256') as VerifierConfig['SIGNING_ALG'],
    CLOCK_TOLERANCE_SECONDS: Number(c.CLOCK_TOLERANCE_SECONDS ?? VERIFIER_BOUNDS.CLOCK_TOLERANCE_SECONDS[0]),
    JWKS_URL: c.JWKS_URL ?? `${issuer}/.well-known/jwks.json`,
    JWKS_COOLDOWN_SECONDS: Number(c.JWKS_COOLDOWN_SECONDS ?? VERIFIER_BOUNDS.JWKS_COOLDOWN_SECONDS[0]),
    JWKS_CACHE_SECONDS: Number(c.JWKS_CACHE_SECONDS ?? VERIFIER_BOUNDS.JWKS_CACHE_SECONDS[0]),
  };
}

/**
 * What each Lambda of the backend is, as data: which tables and secrets it may touch, whether it hashes
 * passwords (native argon2), and how it is sized. `AuthBackend` turns each entry into a function, its role,
 * its log group, its environment and its grants, so the least-privilege picture is readable in one place.
 */
import { Duration } from 'aws-cdk-lib';
import type { TableDefinition } from '../shared/adapters/dynamo/tables.js';
import type { FunctionName } from '../shared/routing/routes.js';
import { HANDLER_TIMEOUT } from './specs/timeouts.js';
import { MACHINE_IDENTITY_SPECS } from './specs/machine-identity-specs.js';
import { SECOND_FACTOR_SPECS } from './specs/second-factor-specs.js';

/**
 * Every Lambda of the backend: the route handlers of `ROUTES`, the authorizer, the key-ring rotation and the
 * custom resource that makes the first deploy wait for the first key ring.
 */
export type AuthFunctionName = FunctionName | 'authorizer' | 'rotate-keys' | 'bootstrap-keys';

export type TableId = TableDefinition['id'];

export interface FunctionSpec {
  /** One line for the console and the template. */
  readonly description: string;
  /** Tables the function touches. Only these get an environment variable and a grant. */
  readonly tables?: Partial<Record<TableId, 'read' | 'readWrite'>>;
  /**
   * `read`: signs tokens with the current private key. `rotate`: the Secrets Manager rotation function.
   * `bootstrap`: reads the ring and starts its rotation (RotateSecret, which invokes the rotation function).
   */
  readonly keyRing?: 'read' | 'rotate' | 'bootstrap';
  /** `read`: serves the public JWKS. `write`: publishes it (the rotation function). */
  readonly publicKeys?: 'read' | 'write';
  /** Hashes passwords with `@node-rs/argon2`: runs on x86_64 with the native binary copied into its asset. */
  readonly argon2?: boolean;
  /** Reads public keys from `JWKS_URL` over HTTPS (the authorizer). */
  readonly jwksUrl?: boolean;
  /** Reads the OAuth client secrets named by ARN in `oauthProviders` (the OAuth callback). */
  readonly oauthClientSecrets?: boolean;
  /** Reads the data key that seals TOTP secrets: a second secret beside the key ring. */
  readonly mfaKey?: boolean;
  /** Sends mail through SES (`ses:SendEmail` on the sending identity only). */
  readonly mail?: boolean;
  /**
   * Looks personal API keys up by hash and records their use (the authorizer): `dynamodb:GetItem` and
   * `dynamodb:UpdateItem` on the API-key table only — no Scan, no Query, no index, no other table.
   */
  readonly apiKeyLookup?: boolean;
  /** Files the code reads beside itself at run time, copied into the asset (see bundling.ts `dataFiles`). */
  readonly dataFiles?: readonly string[];
  /** Modules built into files of their own beside the bundle, for a lazy `import()` (see bundling.ts). */
  readonly lazyModules?: readonly string[];
  /** Keep class and function names in the minified bundle (see bundling.ts `keepNames`); default true. */
  readonly keepNames?: boolean;
  readonly memorySize: number;
  readonly timeout: Duration;
}

/** The common-password list (S6) that the functions checking a new password read on first use. */
export const COMMON_PASSWORDS = ['shared/domain/common-passwords.txt'] as const;

export const FUNCTION_SPECS: Readonly<Record<AuthFunctionName, FunctionSpec>> = {
  signup: {
    description: 'POST /auth/signup: create an account (argon2id), mail a verification link, sign in',
    // MagicLinks + Ephemeral + mail: the verification link and the per-address mail budget.
    tables: { Users: 'readWrite', RefreshTokens: 'readWrite', MagicLinks: 'readWrite', Ephemeral: 'readWrite' },
    mail: true,
    keyRing: 'read',
    argon2: true,
    dataFiles: COMMON_PASSWORDS,
    // argon2id at m=19 MiB is CPU-bound; Lambda CPU scales with memory, so 1 GB keeps a hash in the tens of ms.
    // Sizing from `npm run bench` (README, Performance): one hash ≈ 9 ms on a full core; 1,024 MB ≈ 0.58 vCPU.
    memorySize: 1024,
    timeout: HANDLER_TIMEOUT,
  },
  login: {
    description: 'POST /auth/login: password sign-in with per-account and per-IP limits',
    tables: { Users: 'readWrite', RefreshTokens: 'readWrite', Ephemeral: 'readWrite' },
    keyRing: 'read',
    argon2: true,
    // One argon2id verify (≈ 9 ms on a full core, ≈ 15 ms at 1,024 MB) dominates the CPU. Below 1,769 MB (one
    // vCPU) a CPU-bound request costs the same GB-seconds at any size, so 1 GB buys latency almost for free; more
    // would only make the DynamoDB waits dearer. See README, Performance.
    memorySize: 1024,
    timeout: HANDLER_TIMEOUT,
  },
  refresh: {
    description: 'POST /auth/refresh: rotate the refresh token, issue a new access token',
    tables: { Users: 'read', RefreshTokens: 'readWrite' },
    keyRing: 'read',
    // I/O-bound: two DynamoDB round trips and one ES256 signature (tens of µs). The warm cost is mostly DynamoDB
    // wait time, billed per GB, so more memory buys nothing; 128 MB would roughly double the SDK's cold start.
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  logout: {
    description: "POST /auth/logout: revoke this session's refresh-token family",
    tables: { RefreshTokens: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'logout-all': {
    description: 'POST /auth/logout-all: revoke every session of the caller',
    tables: { RefreshTokens: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  jwks: {
    description: 'GET /.well-known/jwks.json: the public signing keys',
    publicKeys: 'read',
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'openid-configuration': {
    description: 'GET /.well-known/openid-configuration: issuer metadata',
    // It lists the algorithms of the published keys (S56), so it reads what the JWKS function reads.
    publicKeys: 'read',
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  me: {
    description: 'GET /auth/me: echoes the identity the authorizer passed',
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'admin-get-user': {
    description: 'GET /admin/users/{id} (admin): an account without its password hash',
    tables: { Users: 'read' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'admin-set-roles': {
    description: "PUT /admin/users/{id}/roles (admin): replace a user's roles",
    // ApiKeys: keys that carry a role taken away are revoked (a key never keeps more than its owner has, S77).
    tables: { Users: 'readWrite', ApiKeys: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'admin-revoke-sessions': {
    description: 'POST /admin/users/{id}/revoke-sessions (admin): end every session of a user',
    tables: { Users: 'read', RefreshTokens: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'admin-disable-user': {
    description: 'POST /admin/users/{id}/disable (admin): disable an account and end its sessions and API keys',
    // ApiKeys: the owner's keys are revoked, so the authorizer refuses them within 60 s (S77).
    tables: { Users: 'readWrite', RefreshTokens: 'readWrite', ApiKeys: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'oauth-authorize': {
    description: 'GET /auth/oauth/{provider}/authorize: start authorization code + PKCE, 302 to the provider',
    tables: { Ephemeral: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'oauth-callback': {
    description: 'GET /auth/oauth/{provider}/callback: redeem the code, validate the ID token, sign in',
    tables: { Users: 'readWrite', RefreshTokens: 'readWrite', Ephemeral: 'readWrite' },
    keyRing: 'read',
    oauthClientSecrets: true,
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'magic-link': {
    description: 'POST /auth/magic-link: mail a single-use sign-in link and code (throttled per address and IP)',
    tables: { Users: 'read', MagicLinks: 'readWrite', Ephemeral: 'readWrite' },
    mail: true,
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'magic-link-verify': {
    description: 'GET/POST /auth/magic-link/verify: landing page; consume the link once and sign in',
    // Users readWrite: a link for a new address creates a passwordless account and marks the address verified.
    // Ephemeral: the mfaToken of an account with a second factor (S59).
    tables: { Users: 'readWrite', MagicLinks: 'readWrite', RefreshTokens: 'readWrite', Ephemeral: 'readWrite' },
    keyRing: 'read',
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'verify-email': {
    description: 'GET/POST /auth/verify-email: landing page; confirm the address once',
    // Ephemeral: the mfaToken of an account with a second factor (S59).
    tables: { Users: 'readWrite', MagicLinks: 'readWrite', Ephemeral: 'readWrite' },
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'password-reset': {
    description: 'POST /auth/password-reset: mail a reset link and code (same answer for every address)',
    tables: { Users: 'read', MagicLinks: 'readWrite', Ephemeral: 'readWrite' },
    mail: true,
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'password-reset-confirm': {
    description: 'GET/POST /auth/password-reset/confirm: set a new password once, end every session',
    // Ephemeral: lifts the login lock of the account (recovery by email, S4).
    tables: { Users: 'readWrite', MagicLinks: 'readWrite', RefreshTokens: 'readWrite', Ephemeral: 'readWrite' },
    argon2: true,
    dataFiles: COMMON_PASSWORDS,
    memorySize: 1024,
    timeout: HANDLER_TIMEOUT,
  },
  ...SECOND_FACTOR_SPECS,
  ...MACHINE_IDENTITY_SPECS,
  authorizer: {
    description: 'HTTP API Lambda authorizer: verifies access tokens against the public JWKS, and personal API keys',
    // No secret: it reads public keys over HTTPS like any other verifier (S44). The one table access is the API-key
    // lookup (one GetItem per key per cache window, a lastUsedAt UpdateItem at most once a minute per key, S78),
    // made by a module of its own that only an API key loads: the JWT path stays at zero AWS calls.
    jwksUrl: true,
    apiKeyLookup: true,
    lazyModules: ['functions/authorizer/api-key-path.ts'],
    keepNames: false,
    // A warm call is one signature check (≈ 55 µs on a full core, well under 1 ms at 256 MB's ~0.15 vCPU), billed
    // at the 1 ms minimum: less memory saves nothing per call and slows the cold start; more doubles the price.
    memorySize: 256,
    // API Gateway waits for the authorizer on every uncached request; fail fast rather than hold the client.
    timeout: Duration.seconds(3),
  },
  'rotate-keys': {
    description: 'Secrets Manager rotation of the signing key ring; publishes the public JWKS',
    keyRing: 'rotate',
    publicKeys: 'write',
    memorySize: 256,
    timeout: HANDLER_TIMEOUT,
  },
  'bootstrap-keys': {
    description: 'Custom resource of the deploy: rotates the placeholder key ring once and waits until the ring exists',
    // Reads AWSCURRENT (is there a ring?) and calls RotateSecret, which needs lambda:InvokeFunction on rotate-keys.
    keyRing: 'bootstrap',
    memorySize: 256,
    // Waits up to 90 s for the rotation's four steps (a few seconds in practice).
    timeout: Duration.minutes(2),
  },
};

export const FUNCTION_NAMES = Object.keys(FUNCTION_SPECS) as AuthFunctionName[];

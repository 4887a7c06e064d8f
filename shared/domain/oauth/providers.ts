/**
 * OAuth / OpenID Connect providers: the `OAUTH_PROVIDERS` schema and the presets. A provider is either any
 * OpenID Connect issuer found by discovery, or a preset: Google and Microsoft Entra ID (OIDC, by discovery)
 * and GitHub (plain OAuth 2.0 with fixed endpoints, no ID token; the verified primary email comes from its
 * emails API).
 */
import * as z from 'zod/mini';

export const PRESETS = ['google', 'microsoft', 'github'] as const;
export type Preset = (typeof PRESETS)[number];

/** Provider names appear in the route (`/auth/oauth/{provider}/…`) and in the Ephemeral table. */
export const PROVIDER_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

// zod/mini (like shared/config/config.ts, which embeds this schema): small bundles; every check says its own message.
const scope = z
  .string('must be a string')
  .check(z.regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token (no spaces or quotes)'));
const httpUrl = z
  .url({ error: 'must be a URL' })
  .check(z.refine((s) => /^https?:\/\//.test(s), 'must be an http(s) URL'));
const nonEmpty = z.string('must be a string').check(z.minLength(1, 'must not be empty'));

export const oauthProviderSchema = z
  .strictObject(
    {
      /** The issuer identifier (discovery at `<issuer>/.well-known/openid-configuration`). Presets fill it in. */
      issuer: z.optional(httpUrl),
      clientId: nonEmpty,
      /** Local development only: in AWS name a Secrets Manager secret with `clientSecretArn` instead. */
      clientSecret: z.optional(nonEmpty),
      /** A Secrets Manager secret whose value (plain string) is the client secret. */
      clientSecretArn: z.optional(
        z
          .string('must be a string')
          .check(z.regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN')),
      ),
      scopes: z.optional(z.array(scope, 'must be an array of scopes').check(z.minLength(1, 'must not be empty'))),
      preset: z.optional(z.enum(PRESETS, 'must be google, microsoft or github')),
      /** Microsoft Entra ID: the tenant id (a GUID) or `consumers`; sets the issuer. */
      tenant: z.optional(
        z
          .string('must be a string')
          .check(z.regex(/^([0-9a-f-]{36}|consumers)$/i, 'must be a tenant id (GUID) or "consumers"')),
      ),
      /** GitHub preset only: override its endpoints (tests use a local stand-in). */
      endpoints: z.optional(
        z.strictObject(
          { authorization: httpUrl, token: httpUrl, api: httpUrl },
          'must be {authorization, token, api} only',
        ),
      ),
    },
    'must be an object with issuer, clientId, clientSecret|clientSecretArn, scopes, preset, tenant, endpoints only',
  )
  .check(
    z.refine((p) => !(p.clientSecret && p.clientSecretArn), 'give clientSecret or clientSecretArn, not both'),
    z.refine((p) => p.preset !== undefined || p.issuer !== undefined, 'issuer is required without a preset'),
    z.refine(
      (p) => p.preset !== 'microsoft' || p.issuer !== undefined || p.tenant !== undefined,
      'the microsoft preset needs tenant (or issuer)',
    ),
    z.refine((p) => p.tenant === undefined || p.preset === 'microsoft', 'tenant is only for the microsoft preset'),
    z.refine((p) => p.endpoints === undefined || p.preset === 'github', 'endpoints is only for the github preset'),
  );

export type OAuthProviderInput = z.output<typeof oauthProviderSchema>;

export const oauthProvidersSchema = z.record(
  z.string().check(z.regex(PROVIDER_NAME, 'provider names are lower-case letters, digits and dashes')),
  oauthProviderSchema,
  'must be a JSON object of providers',
);

/** A provider with its preset applied: everything the protocol code needs. */
export interface OAuthProviderConfig {
  name: string;
  kind: 'oidc' | 'github';
  issuer: string;
  clientId: string;
  clientSecret?: string;
  clientSecretArn?: string;
  scopes: string[];
  /** Microsoft does not send `email_verified`; its `xms_edov` optional claim says the domain owner verified it. */
  emailVerifiedClaims: string[];
  /** GitHub only. */
  endpoints?: { authorization: string; token: string; api: string };
}

const GITHUB = {
  issuer: 'https://github.com',
  endpoints: {
    authorization: 'https://github.com/login/oauth/authorize',
    token: 'https://github.com/login/oauth/access_token',
    api: 'https://api.github.com',
  },
};

/** Applies the preset (if any) to one configured provider. */
export function resolveProvider(name: string, p: OAuthProviderInput): OAuthProviderConfig {
  const base = { name, clientId: p.clientId, clientSecret: p.clientSecret, clientSecretArn: p.clientSecretArn };
  switch (p.preset) {
    case 'github':
      return {
        ...base,
        kind: 'github',
        issuer: p.issuer ?? GITHUB.issuer,
        // read:user for the numeric id, user:email for the verified primary address.
        scopes: p.scopes ?? ['read:user', 'user:email'],
        emailVerifiedClaims: [],
        endpoints: p.endpoints ?? GITHUB.endpoints,
      };
    case 'google':
      return {
        ...base,
        kind: 'oidc',
        issuer: p.issuer ?? 'https://accounts.google.com',
        scopes: p.scopes ?? ['openid', 'email', 'profile'],
        emailVerifiedClaims: ['email_verified'],
      };
    case 'microsoft':
      return {
        ...base,
        kind: 'oidc',
        // A tenant-specific issuer: the multi-tenant `common` endpoint has no single issuer to check `iss` against.
        issuer:
          p.issuer ??
          `https://login.microsoftonline.com/${p.tenant!.toLowerCase() === 'consumers' ? '9188040d-6c67-4c5b-b112-36a304b66dad' : p.tenant}/v2.0`,
        scopes: p.scopes ?? ['openid', 'email', 'profile'],
        emailVerifiedClaims: ['email_verified', 'xms_edov'],
      };
    case undefined:
      return {
        ...base,
        kind: 'oidc',
        issuer: p.issuer!,
        scopes: p.scopes ?? ['openid', 'email', 'profile'],
        emailVerifiedClaims: ['email_verified'],
      };
  }
}

export function resolveProviders(input: Record<string, OAuthProviderInput>): Record<string, OAuthProviderConfig> {
  return Object.fromEntries(Object.entries(input).map(([name, p]) => [name, resolveProvider(name, p)]));
}

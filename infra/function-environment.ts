/**
 * The one description of what a function is given when deployed: its environment variables and its grants,
 * computed from its `FunctionSpec` (infra/function-specs.ts) and the backend's settings. The CDK construct
 * turns the result into `environment` and `grant*()` calls; the local runner and the tests give each function
 * exactly the same variables and enforce the same grants (S81), so a function that needs what its spec does
 * not give fails locally as it would on AWS.
 *
 * No CDK import here: the values are strings (CDK tokens in the stack, loopback names locally).
 */
import { TABLES } from '../shared/adapters/dynamo/tables.js';
import type { FunctionSpec, TableId } from './function-specs.js';

/** Where the resources a function may be given live, as the function will see them. */
export interface FunctionResources {
  /** The physical name of each table (a token in the stack, a prefixed name locally). */
  readonly tableName: (id: TableId) => string;
  /** The signing key ring: Secrets Manager in AWS; a file for the local runner (KEY_RING_FILE). */
  readonly keyRing: { readonly secretId: string; readonly publicKeysSecretId: string } | { readonly file: string };
  /** The data key sealing TOTP secrets: a second secret in AWS; a file beside the key ring locally (MFA_KEY_FILE). */
  readonly mfaKey?: { readonly secretId: string } | { readonly file: string };
  /** Where verifiers fetch the public keys (`${issuer}/.well-known/jwks.json`). */
  readonly jwksUrl: string;
  /**
   * API Gateway's authorizer cache TTL in seconds: the API-key path caches a read for what is left of 60 s, so a
   * revocation is seen within 60 s in all (S77). @default 60
   */
  readonly authorizerCacheSeconds?: number;
  /** The sending identity; without it the mail routes answer 503 (nothing crashes). */
  readonly mail?: { readonly from: string; readonly configurationSet?: string };
}

/** A grant, as data: what one function may do beyond writing its own logs. */
export type FunctionGrant =
  | { readonly kind: 'table'; readonly table: TableId; readonly access: 'read' | 'readWrite' }
  | { readonly kind: 'keyRing'; readonly access: NonNullable<FunctionSpec['keyRing']> }
  | { readonly kind: 'publicKeys'; readonly access: 'read' | 'write' }
  | { readonly kind: 'oauthClientSecrets' }
  | { readonly kind: 'mfaKey' }
  | { readonly kind: 'apiKeyLookup' }
  | { readonly kind: 'mail' };

/** The authorizer's API-key lookup grant: read a key by hash, record its use; no Scan, no Query, no index. */
export const API_KEY_LOOKUP_ACTIONS: readonly string[] = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];

/** Revocation of an API key is seen within this many seconds, API Gateway's cache and the authorizer's together. */
export const API_KEY_REVOCATION_SECONDS = 60;

/** How long the authorizer may reuse an API-key read: what API Gateway's own cache leaves of the 60 s (S77). */
export const apiKeyCacheSeconds = (authorizerCacheSeconds: number): number =>
  Math.max(0, API_KEY_REVOCATION_SECONDS - authorizerCacheSeconds);

/**
 * The authorizer cache in front of a mutual-TLS domain: API Gateway keys a cached decision by the identity sources
 * (Authorization and route key) only, and the default endpoint and the custom domain share one authorizer, so a
 * cached allow of a certificate-bound token would serve a request without that certificate, or with another one
 * (S78). With mutual TLS the cache is off by default, and a cache of more than 0 s is refused with this reason.
 */
export const authorizerCacheSecondsDefault = (mutualTls: boolean): number => (mutualTls ? 0 : 60);
export const MTLS_AUTHORIZER_CACHE_REFUSAL =
  'must be 0 with mutual TLS: API Gateway caches the authorizer by Authorization and route key, so a cached allow ' +
  'of a certificate-bound token would serve a request without its certificate (S78)';

/** The grants of a function, in a stable order. */
export function functionGrants(spec: FunctionSpec): FunctionGrant[] {
  const grants: FunctionGrant[] = [];
  for (const def of TABLES) {
    const access = spec.tables?.[def.id];
    if (access) grants.push({ kind: 'table', table: def.id, access });
  }
  if (spec.keyRing) grants.push({ kind: 'keyRing', access: spec.keyRing });
  if (spec.publicKeys) grants.push({ kind: 'publicKeys', access: spec.publicKeys });
  if (spec.oauthClientSecrets) grants.push({ kind: 'oauthClientSecrets' });
  if (spec.mfaKey) grants.push({ kind: 'mfaKey' });
  if (spec.mail) grants.push({ kind: 'mail' });
  if (spec.apiKeyLookup) grants.push({ kind: 'apiKeyLookup' });
  return grants;
}

/**
 * The environment of one function: the backend-wide settings (`common`, the same for every function) plus
 * exactly the variables its grants call for — a table name only for a granted table, the key ring only for a
 * signer or the rotation, the JWKS URL only for the authorizer, the mail sender only for a function that mails.
 */
export function functionEnvironment(
  spec: FunctionSpec,
  common: Readonly<Record<string, string>>,
  resources: FunctionResources,
): Record<string, string> {
  const env: Record<string, string> = { ...common };
  for (const grant of functionGrants(spec)) {
    switch (grant.kind) {
      case 'table':
        env[TABLES.find((t) => t.id === grant.table)!.envVar] = resources.tableName(grant.table);
        break;
      case 'keyRing':
        if ('file' in resources.keyRing) env.KEY_RING_FILE = resources.keyRing.file;
        else env.KEY_RING_SECRET_ID = resources.keyRing.secretId;
        break;
      case 'publicKeys':
        if ('file' in resources.keyRing) env.KEY_RING_FILE = resources.keyRing.file;
        else env.PUBLIC_KEYS_SECRET_ID = resources.keyRing.publicKeysSecretId;
        break;
      case 'mail':
        env.MAILER = 'ses';
        if (resources.mail) {
          env.MAIL_FROM = resources.mail.from;
          if (resources.mail.configurationSet) env.SES_CONFIGURATION_SET = resources.mail.configurationSet;
        }
        break;
      case 'mfaKey':
        if (resources.mfaKey && 'file' in resources.mfaKey) env.MFA_KEY_FILE = resources.mfaKey.file;
        else if (resources.mfaKey) env.MFA_KEY_SECRET_ID = resources.mfaKey.secretId;
        break;
      case 'oauthClientSecrets':
        // The secrets are named by ARN in OAUTH_PROVIDERS (common); the grant is what this adds.
        break;
      case 'apiKeyLookup':
        env.API_KEYS_TABLE = resources.tableName('ApiKeys');
        env.API_KEY_CACHE_SECONDS = String(apiKeyCacheSeconds(resources.authorizerCacheSeconds ?? 60));
        break;
    }
  }
  if (spec.jwksUrl) env.JWKS_URL = resources.jwksUrl;
  return env;
}

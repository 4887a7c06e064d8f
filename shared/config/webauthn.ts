/**
 * WebAuthn relying-party settings (S67), checked at cold start: every origin is exact and https (http only for
 * localhost, which browsers treat as a secure context), and the RP ID is a registrable suffix of each origin's
 * host — otherwise browsers refuse every ceremony, so a wrong value fails here, naming the variable.
 */
import { ConfigError } from './config-error.js';
import { isOrigin } from './origin.js';

export interface WebAuthnSettings {
  rpId: string;
  rpName: string;
  origins: string[];
}

const isIp = (host: string) => /^[0-9.]+$/.test(host) || host.includes(':') || host.startsWith('[');
const isLocalhost = (host: string) => host === 'localhost' || host.endsWith('.localhost');
/** `host` is `rpId` or one of its subdomains (WebAuthn §5.1.3 "registrable domain suffix"). */
export const rpIdCovers = (rpId: string, host: string) => host === rpId || host.endsWith(`.${rpId}`);

function secureOrigin(origin: string): boolean {
  const url = new URL(origin);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLocalhost(url.hostname));
}

/**
 * Defaults: the RP ID is ISSUER's host (`localhost` when that is an IP address, as locally), the name is the RP
 * ID, and the origins are ISSUER's and CORS_ORIGINS' that the RP ID covers.
 * @example const { rpId, origins } = webauthnSettings(process.env, config.ISSUER, config.CORS_ORIGINS);
 */
export function webauthnSettings(
  env: Record<string, string | undefined>,
  issuer: string,
  corsOrigins: readonly string[],
): WebAuthnSettings {
  const issuerHost = new URL(issuer).hostname;
  const rpId = (env['WEBAUTHN_RP_ID'] || (isIp(issuerHost) ? 'localhost' : issuerHost)).trim().toLowerCase();
  if (isIp(rpId) || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(rpId)) {
    throw new ConfigError(
      'Invalid configuration: WEBAUTHN_RP_ID: must be a domain such as example.com or localhost (not an IP address, no scheme or port)',
    );
  }
  const rpName = env['WEBAUTHN_RP_NAME']?.trim() || rpId;
  const explicit = env['WEBAUTHN_ORIGINS'];
  if (explicit) {
    const origins = explicit
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const origin of origins) {
      if (!isOrigin(origin) || !secureOrigin(origin)) {
        throw new ConfigError(
          `Invalid configuration: WEBAUTHN_ORIGINS: "${origin}" must be an exact https origin (http only for localhost)`,
        );
      }
      if (!rpIdCovers(rpId, new URL(origin).hostname)) {
        throw new ConfigError(
          `Invalid configuration: WEBAUTHN_ORIGINS: the host of "${origin}" is not covered by WEBAUTHN_RP_ID "${rpId}" (it must be the RP ID or a subdomain of it)`,
        );
      }
    }
    return { rpId, rpName, origins };
  }
  const candidates = [new URL(issuer).origin, ...corsOrigins];
  const origins = [...new Set(candidates)].filter(
    (o) => isOrigin(o) && secureOrigin(o) && rpIdCovers(rpId, new URL(o).hostname),
  );
  return { rpId, rpName, origins };
}

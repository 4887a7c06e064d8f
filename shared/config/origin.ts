/**
 * An origin as browsers send it in `Origin`: scheme://host[:port], nothing else — no path, no trailing
 * slash, never `*`. The one check behind CORS origins, cookie-route origins and redirect origins, in the
 * function config and in the CDK props alike. `https` demands TLS (redirect targets).
 */
export function isOrigin(value: string, options: { https?: boolean } = {}): boolean {
  try {
    const url = new URL(value);
    return url.origin === value && (!options.https || url.protocol === 'https:');
  } catch {
    return false;
  }
}

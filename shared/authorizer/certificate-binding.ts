import { X509Certificate, createHash } from 'node:crypto';

/**
 * `x5t#S256` of a PEM certificate (RFC 8705 §3.1): base64url of the SHA-256 of its DER encoding. Undefined when
 * the text is not one certificate.
 * @example certificateThumbprint(event.requestContext.authentication.clientCert.clientCertPem)
 */
export function certificateThumbprint(pem: string): string | undefined {
  try {
    return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
  } catch {
    return undefined;
  }
}

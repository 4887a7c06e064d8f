/**
 * Throw-away X.509 certificates made with the `openssl` command (OpenSSL 3): a certificate authority, and leaf
 * certificates it issues (or that sign themselves) for a TLS server or client. The local runner's mutual-TLS
 * listener makes its server certificate with it when none is given; the tests make their CAs and client
 * certificates with it. Every certificate is valid for one day and uses a P-256 key.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  /** The certificate, PEM. */
  readonly certPem: string;
  /** Its private key, PEM (PKCS #8, unencrypted). */
  readonly keyPem: string;
  /** The subject as API Gateway and RFC 4514 write it, most specific first: `CN=svc,O=Example`. */
  readonly subjectDn: string;
}

export interface CertificateRequest {
  /** The subject's attributes in the order they are written in the certificate, e.g. `{ O: 'Example', CN: 'svc' }`. */
  readonly subject: Readonly<Record<string, string>>;
  /** The CA that signs it. @default - the certificate signs itself */
  readonly issuer?: Certificate;
  /** What it is for: `ca` (signs others), `server` (with IP and DNS names) or `client`. */
  readonly use: 'ca' | 'server' | 'client';
  /** Server names (`IP:127.0.0.1`, `DNS:localhost`); `server` only. @default ['IP:127.0.0.1', 'DNS:localhost'] */
  readonly altNames?: readonly string[];
}

const EXTENSIONS: Record<CertificateRequest['use'], string[]> = {
  ca: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'],
  server: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth'],
  client: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'],
};

/** OpenSSL's `-subj` form: `/O=Example/CN=svc` (a `/` or `\` inside a value escaped). */
const subjArgument = (subject: Readonly<Record<string, string>>) =>
  Object.entries(subject)
    .map(([k, v]) => `/${k}=${v.replace(/[\\/]/g, '\\$&')}`)
    .join('');

/** RFC 4514: the last attribute first, `,` `+` `"` `\` `<` `>` `;` escaped. */
const distinguishedName = (subject: Readonly<Record<string, string>>) =>
  Object.entries(subject)
    .reverse()
    .map(([k, v]) => `${k}=${v.replace(/[,+"\\<>;]/g, '\\$&')}`)
    .join(',');

/**
 * Makes one certificate. Throws when `openssl` is missing or refuses (its message included).
 * @example const ca = makeCertificate({ subject: { CN: 'Test CA' }, use: 'ca' });
 *          const client = makeCertificate({ subject: { O: 'Example', CN: 'billing' }, issuer: ca, use: 'client' });
 */
export function makeCertificate(request: CertificateRequest): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'cert-'));
  try {
    const file = (name: string) => join(dir, name);
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'];
    args.push('-subj', subjArgument(request.subject), '-keyout', file('key.pem'), '-out', file('cert.pem'));
    const extensions = [...EXTENSIONS[request.use]];
    if (request.use === 'server')
      extensions.push(`subjectAltName=${(request.altNames ?? ['IP:127.0.0.1', 'DNS:localhost']).join(',')}`);
    for (const e of extensions) args.push('-addext', e);
    if (request.issuer) {
      writeFileSync(file('ca.pem'), request.issuer.certPem);
      writeFileSync(file('ca.key'), request.issuer.keyPem, { mode: 0o600 });
      args.push('-CA', file('ca.pem'), '-CAkey', file('ca.key'));
    }
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const detail = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
      throw new Error(`openssl could not make a certificate (is OpenSSL 3 installed?): ${detail}`, { cause: e });
    }
    return {
      certPem: readFileSync(file('cert.pem'), 'utf8'),
      keyPem: readFileSync(file('key.pem'), 'utf8'),
      subjectDn: distinguishedName(request.subject),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

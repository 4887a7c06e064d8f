/**
 * TOTP secrets at rest (S60): AES-256-GCM under a data key kept outside DynamoDB (a Secrets Manager secret in AWS,
 * a file beside the key ring locally). The sealed form names its key id, so the data key can be rotated: new
 * secrets use `current`, old ones still open with the key they name.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** `{ current: "<kid>", "<kid>": "<high-entropy string>", … }`: the shape of the secret and of the local file. */
export type DataKeyDocument = Record<string, string> & { current: string };

export interface SecretBox {
  seal(plain: Uint8Array, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<Uint8Array>;
}

const VERSION = 'v1';

/** 32 key bytes from the stored string: HKDF, so a generated password (Secrets Manager's) is a fine source. */
const keyOf = (material: string) =>
  Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), 'mfa-totp-secret', 32));

/**
 * A SecretBox over a data-key document loaded once (per container) by `load`.
 * `context` (the user and factor id) is bound as additional data: a sealed secret copied onto another user's
 * item does not open.
 * @example const box = createSecretBox(() => readDataKeys()); const sealed = await box.seal(key, userId);
 */
export function createSecretBox(load: () => Promise<DataKeyDocument>): SecretBox {
  let doc: Promise<DataKeyDocument> | undefined;
  // Cached per container; a failed read is forgotten so that the next request tries again.
  const keys = () =>
    (doc ??= load().catch((e: unknown) => {
      doc = undefined;
      throw e;
    }));
  return {
    async seal(plain, context) {
      const d = await keys();
      const kid = d.current;
      const material = d[kid];
      if (!material) throw new Error('MFA data key: the current key id has no key');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyOf(material), iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return [
        VERSION,
        kid,
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    async open(sealed, context) {
      const [version, kid, iv, body, tag] = sealed.split('.');
      const d = await keys();
      const material = kid === 'current' ? undefined : d[kid ?? ''];
      if (version !== VERSION || !material || !iv || !body || !tag)
        throw new Error('MFA data key: unknown sealed form');
      const decipher = createDecipheriv('aes-256-gcm', keyOf(material), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]));
    },
  };
}

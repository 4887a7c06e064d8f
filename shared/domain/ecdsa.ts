/**
 * ECDSA P-256 signature canonicalisation. An ECDSA signature (r, s) has a twin (r, n − s) that verifies just as
 * well, so a token would have two valid strings. We sign only "low-S" signatures (s ≤ n/2, as Bitcoin's BIP 62 and
 * libsecp256k1 do) and the verifier refuses the high-S twin (S14): every access token has exactly one valid form.
 */
const P256_N = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
const N = BigInt(`0x${P256_N.toString('hex')}`);
const HALF_N = Buffer.from((N >> 1n).toString(16).padStart(64, '0'), 'hex');

/** True when the raw r‖s signature's s is in the lower half of the group order. */
export function isLowS(signature: Uint8Array): boolean {
  // s compared in place (a view, no copy): this runs on every ES256 verification.
  return signature.length === 64 && Buffer.compare(signature.subarray(32), HALF_N) <= 0;
}

/** The low-S form of a raw r‖s P-256 signature (unchanged when it already is). */
export function toLowS(signature: Buffer): Buffer {
  if (isLowS(signature)) return signature;
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  return Buffer.concat([signature.subarray(0, 32), Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex')]);
}

/** A compact ES256 JWS with its signature in low-S form. */
export function toLowSJws(compact: string): string {
  const dot = compact.lastIndexOf('.');
  return `${compact.slice(0, dot + 1)}${toLowS(Buffer.from(compact.slice(dot + 1), 'base64url')).toString('base64url')}`;
}

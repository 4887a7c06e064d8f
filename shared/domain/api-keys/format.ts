/**
 * The personal API key format (S77): `lak_` + 256 random bits in base62 (43 characters) + a CRC32 checksum of
 * everything before it in base62 (6 characters), 53 characters in all — GitHub's token design: the type prefix
 * tells a scanner what it found, the checksum lets it (and the authorizer) tell a real key from a typo or a
 * guess offline, so a malformed key is refused without any lookup.
 *
 * Stored only as SHA-256 (`apiKeyHash`). A fast hash is right here, unlike for passwords: the key holds 256 bits
 * of randomness, so no dictionary or brute force can invert its hash, and salting or stretching would buy
 * nothing while making the hash unusable as the lookup key (the authorizer reads the record by it in one
 * `GetItem`). This module has no I/O and no dependency beyond `node:crypto`: the authorizer's JWT bundle
 * carries it.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'lak_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** ⌈256 / log2(62)⌉ = 43 characters hold 256 bits. */
const BODY_CHARS = 43;
/** ⌈32 / log2(62)⌉ = 6 characters hold a CRC32. */
const CHECKSUM_CHARS = 6;
const API_KEY = /^lak_[0-9A-Za-z]{49}$/;
/** How much of the key the list shows: the type prefix and 8 characters (≈ 48 of the 256 bits). */
const DISPLAY_CHARS = API_KEY_PREFIX.length + 8;

function base62(value: bigint, width: number): string {
  let out = '';
  for (let v = value; v > 0n; v /= 62n) out = ALPHABET[Number(v % 62n)] + out;
  return out.padStart(width, '0');
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE 802.3, the one of zlib and GitHub's tokens); `node:zlib`'s `crc32` needs Node ≥ 20.15. */
export function crc32(text: string): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const checksum = (text: string) => base62(BigInt(crc32(text)), CHECKSUM_CHARS);

/** A new key: 32 bytes from the CSPRNG, then the checksum. */
export function generateApiKey(): string {
  const body = API_KEY_PREFIX + base62(BigInt(`0x${randomBytes(32).toString('hex')}`), BODY_CHARS);
  return body + checksum(body);
}

/**
 * True for `lak_` + 49 base62 characters whose last 6 are the checksum of the rest. Cheap and I/O-free: the
 * authorizer refuses anything else before it loads its API-key path.
 */
export function isWellFormedApiKey(key: string): boolean {
  if (!API_KEY.test(key)) return false;
  const body = key.slice(0, -CHECKSUM_CHARS);
  return checksum(body) === key.slice(-CHECKSUM_CHARS);
}

/** Whether a bearer credential claims to be an API key (then it is never tried as a JWT). */
export const looksLikeApiKey = (token: string): boolean => token.startsWith(API_KEY_PREFIX);

/** What is stored and looked up: SHA-256 of the whole key, hex. */
export const apiKeyHash = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** The part of a key that lists show, so a user can tell keys apart: `lak_` and its first 8 characters. */
export const displayPrefix = (key: string): string => key.slice(0, DISPLAY_CHARS);

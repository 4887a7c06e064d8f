import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KeyRingDocument, RingKey } from '../ports/key-ring.js';

export type SigningAlg = 'ES256' | 'RS256' | 'EdDSA';

/** Members that only a private JWK has. JWKS must never contain them (S44). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

export function publicOnly(jwk: JWK): JWK {
  const out: JWK = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete (out as Record<string, unknown>)[m];
  return out;
}

export async function generateRingKey(alg: SigningAlg, status: RingKey['status'], now: Date): Promise<RingKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
  });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const common = { kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    status,
    createdAt: now.toISOString(),
    publicJwk: { ...pub, ...common },
    privateJwk: { ...(await exportJWK(privateKey)), ...common },
  };
}

/** A fresh ring: a `current` key that signs and a `next` key already published for the following rotation. */
export async function createRing(alg: SigningAlg, now: Date): Promise<KeyRingDocument> {
  return { version: 1, keys: [await generateRingKey(alg, 'current', now), await generateRingKey(alg, 'next', now)] };
}

/**
 * One rotation step: `previous` is dropped, `current` becomes `previous` (still verifies tokens it signed),
 * `next` becomes `current` (it has been published for a whole rotation period, so every verifier knows it),
 * and a new `next` is minted. S45: a key is published before it signs and stays published after.
 */
export async function rotateRing(ring: KeyRingDocument, alg: SigningAlg, now: Date): Promise<KeyRingDocument> {
  const current = ring.keys.find((k) => k.status === 'current');
  const next = ring.keys.find((k) => k.status === 'next');
  if (!current || !next) return createRing(alg, now);
  return {
    version: 1,
    keys: [{ ...current, status: 'previous' }, { ...next, status: 'current' }, await generateRingKey(alg, 'next', now)],
  };
}

/** Parses and checks a stored ring; returns undefined when the value is not a usable ring (e.g. first deploy). */
export function parseRing(raw: string | undefined): KeyRingDocument | undefined {
  if (!raw) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const d = doc as Partial<KeyRingDocument>;
  if (d?.version !== 1 || !Array.isArray(d.keys)) return undefined;
  const kids = new Set(d.keys.map((k) => k.kid));
  const current = d.keys.filter((k) => k.status === 'current');
  if (kids.size !== d.keys.length || current.length !== 1) return undefined;
  return d as KeyRingDocument;
}

export const currentKey = (ring: KeyRingDocument): RingKey => {
  const k = ring.keys.find((x) => x.status === 'current');
  if (!k) throw new Error('key ring has no current key');
  return k;
};

/** The JWKS document: public members only, every status, unique kids. */
export function toJwks(ring: KeyRingDocument): { keys: JWK[] } {
  const order = { current: 0, next: 1, previous: 2 } as const;
  return {
    keys: [...ring.keys].sort((a, b) => order[a.status] - order[b.status]).map((k) => publicOnly(k.publicJwk)),
  };
}

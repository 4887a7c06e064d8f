import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../ports/password-hasher.js';

export interface Argon2Params {
  /** KiB. OWASP minimum for argon2id: 19456 (19 MiB). */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet's argon2id baseline (S7). */
export const OWASP_ARGON2ID: Argon2Params = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

// `Algorithm.Argon2id` is a const enum in the typings; const enums do not survive isolated module builds.
const ARGON2ID = 2;
const PHC = /^\$argon2(id|i|d)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/;

/**
 * argon2id with PHC strings and a unique random salt per hash (the library draws it). Hashes with weaker
 * stored parameters report `needsRehash`, so login upgrades them transparently.
 * @example const hasher = new Argon2Hasher(); const phc = await hasher.hash('correct horse battery staple');
 */
export class Argon2Hasher implements PasswordHasher {
  constructor(private readonly params: Argon2Params = OWASP_ARGON2ID) {
    if (params.memoryCost < OWASP_ARGON2ID.memoryCost || params.timeCost < OWASP_ARGON2ID.timeCost) {
      throw new Error('argon2id parameters below the OWASP minimum (m=19456, t=2, p=1)');
    }
  }

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.params });
  }

  async verify(phc: string, password: string): Promise<boolean> {
    try {
      return await verify(phc, password);
    } catch {
      // A corrupt stored hash is a failed verification, never a 500 that would distinguish the account.
      return false;
    }
  }

  /**
   * A PHC string of this hasher's parameters, shaped as its hashes are (16-byte salt, 32-byte output), with a random
   * salt and a random output in place of a computed one: verifying any password against it runs the same argon2id
   * computation as against a real hash, and fails (an output no password is known to give; 2^-256 by chance). So
   * the unknown-email path costs what a wrong password costs (S2) without hashing anything to set it up.
   */
  dummyHash(): string {
    const b64 = (n: number) => randomBytes(n).toString('base64').replace(/=+$/, '');
    const { memoryCost, timeCost, parallelism } = this.params;
    return `$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$${b64(16)}$${b64(32)}`;
  }

  needsRehash(phc: string): boolean {
    const m = PHC.exec(phc);
    if (!m || m[1] !== 'id') return true;
    const [memory, time, parallelism] = [Number(m[3]), Number(m[4]), Number(m[5])];
    return memory < this.params.memoryCost || time < this.params.timeCost || parallelism < this.params.parallelism;
  }
}

/**
 * The container's dummy hash (`Argon2Hasher.dummyHash`, made on first use), so that an unknown email costs the same
 * argon2 verify as a wrong password (S2).
 */
export function dummyHashFactory(hasher: Argon2Hasher): () => Promise<string> {
  let dummy: string | undefined;
  return () => Promise.resolve((dummy ??= hasher.dummyHash()));
}

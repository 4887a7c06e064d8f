import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createRing, parseRing, rotateRing, toJwks, type SigningAlg } from '../../domain/key-ring.js';
import type { KeyRing, KeyRingDocument } from '../../ports/key-ring.js';
import type { JwksSource } from '../../ports/jwks-source.js';

export interface FileKeyRingOptions {
  /**
   * How long the file's ring is used before it is read again, as the Secrets Manager adapters cache the secret
   * (`KEY_RING_CACHE_SECONDS`): a rotation written to the file by another process (each local function runs in
   * its own worker, like a Lambda container) reaches every signer and the JWKS within this time.
   * @default Infinity - read once
   */
  cacheSeconds?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * The local runner's key ring: a JSON file (git-ignored, mode 0600) holding the same document the
 * Secrets Manager secret holds in AWS. Created on first use.
 */
export class FileKeyRing implements KeyRing, JwksSource {
  private cached?: Promise<KeyRingDocument>;
  private loadedAt = 0;
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(
    private readonly path: string,
    private readonly alg: SigningAlg = 'ES256',
    options: FileKeyRingOptions = {},
  ) {
    this.cacheMs = (options.cacheSeconds ?? Number.POSITIVE_INFINITY) * 1000;
    this.now = options.now ?? Date.now;
  }

  load(): Promise<KeyRingDocument> {
    if (this.cached && this.now() - this.loadedAt >= this.cacheMs) this.cached = undefined;
    if (!this.cached) this.loadedAt = this.now();
    return (this.cached ??= this.readOrCreate().catch((e: unknown) => {
      this.cached = undefined;
      throw e;
    }));
  }

  async jwks() {
    return toJwks(await this.load());
  }

  /** One rotation step, as the Secrets Manager rotation function does it in AWS. */
  async rotate(now = new Date()): Promise<KeyRingDocument> {
    const ring = await rotateRing(await this.load(), this.alg, now);
    await this.write(ring);
    this.cached = Promise.resolve(ring);
    this.loadedAt = this.now();
    return ring;
  }

  private async readOrCreate(): Promise<KeyRingDocument> {
    const existing = parseRing(await readFile(this.path, 'utf8').catch(() => undefined));
    if (existing) return existing;
    const ring = await createRing(this.alg, new Date());
    await this.write(ring);
    return ring;
  }

  private async write(ring: KeyRingDocument): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(ring, null, 2), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.path);
  }
}

import type { Clock, KeyRing, KeyRingDocument } from '../../shared/ports.js';
import { createRing } from '../../shared/domain/key-ring.js';

/** A clock that only moves when told to. */
export class FrozenClock implements Clock {
  constructor(private ms = Date.UTC(2026, 10, 23, 12, 0, 0)) {}
  now() {
    return this.ms;
  }
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

/** An in-memory key ring, made once per test file. */
export async function memoryKeyRing(): Promise<KeyRing & { ring: KeyRingDocument }> {
  const ring = await createRing('ES256', new Date());
  return { ring, load: async () => ring };
}

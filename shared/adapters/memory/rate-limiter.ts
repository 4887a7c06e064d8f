import type { AtomicPart, MemoryAtomicOp } from '../../ports/atomic-part.js';
import type { Clock } from '../../ports/clock.js';
import type { RateLimitDecision, RateLimiter } from '../../ports/rate-limiter.js';
import { fixedWindow } from '../fixed-window.js';

/**
 * In-memory fixed-window limiter with the DynamoDB limiter's semantics (same windows, same Retry-After).
 * Check and increment happen in one synchronous step, the in-process equivalent of the conditional ADD.
 * @example const limiter = new MemoryRateLimiter({ now: () => frozen });
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly attempts = new Map<string, number>();

  constructor(private readonly clock: Clock = Date) {}

  async consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    const window = fixedWindow(this.clock.now(), windowSeconds);
    const id = `${key}#${window.index}`;
    const used = this.attempts.get(id) ?? 0;
    if (used >= limit) return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
    this.attempts.set(id, used + 1);
    return { allowed: true, retryAfterSeconds: 0 };
  }

  async reset(key: string, windowSeconds: number): Promise<void> {
    this.attempts.delete(`${key}#${fixedWindow(this.clock.now(), windowSeconds).index}`);
  }

  resetPart(key: string, windowSeconds: number): AtomicPart {
    const id = `${key}#${fixedWindow(this.clock.now(), windowSeconds).index}`;
    const op: MemoryAtomicOp = { check: () => true, apply: () => void this.attempts.delete(id) };
    return { failure: 'none', op };
  }
}

/**
 * Fixed-window arithmetic shared by the DynamoDB and in-memory rate limiters, so both refuse at the same
 * moment and report the same `Retry-After`.
 */
export function fixedWindow(
  nowMs: number,
  windowSeconds: number,
): { index: number; end: number; retryAfterSeconds: number } {
  const now = Math.floor(nowMs / 1000);
  const index = Math.floor(now / windowSeconds);
  const end = (index + 1) * windowSeconds;
  return { index, end, retryAfterSeconds: Math.max(1, end - now) };
}

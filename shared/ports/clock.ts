export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The clock in whole seconds since the epoch: JWT `iat`/`exp`, DynamoDB TTL and every stored expiry use it. */
export const nowSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);

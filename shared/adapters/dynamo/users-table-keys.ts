/**
 * The keys of the users table's items, in one place: the user, its email lock, its second factors and its
 * passkey index are written by different stores, and the sign-in copy (sign-in-copy-store.ts) reads them together.
 */
export const userKey = (id: string) => `USER#${id}`;
export const emailKey = (email: string) => `EMAIL#${email}`;
export const mfaKey = (userId: string) => `MFA#${userId}`;
export const passkeyKey = (credentialId: string) => `PASSKEY#${credentialId}`;
export const passkeyIndexKey = (userId: string) => `PASSKEYS#${userId}`;

/**
 * Bumped by every write that changes what a sign-in decides on (the account's password, roles, state; its set of
 * second factors), so that a copy of those items can be checked, in a transaction, to be still current.
 */
export const REVISION = 'rev';

/**
 * Password attempts counted on an email item (sign-in-copy-store.ts): one attribute per fixed window
 * (`attempts_<index>`), and the users table's TTL attribute. Only an item without an account (an unknown address's
 * count) gets a number there, so TTL removes those and only those; an account's email item holds its `userId`
 * string in it, which TTL ignores.
 */
export const attemptsName = (windowIndex: number) => `attempts_${windowIndex}`;
export const isAttemptsName = (name: string) => /^attempts_\d+$/.test(name);
export const ATTEMPTS_EXPIRE_AT = 'attemptsExpireAt';

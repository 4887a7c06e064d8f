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

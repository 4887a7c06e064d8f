/**
 * The sign-in copy as it is stored: a map attribute of the email item holding the user item, the MFA item (when
 * there is one) and the passkey count, each as read, revisions included. The guards compare revisions (and the
 * passkey set's size) in a ConditionCheck per item: one TransactWriteItems decides, never a re-read.
 */
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { SignInCopy } from '../../ports/sign-in-copy.js';
import { credentialsFromItem } from './mfa-store.js';
import { userFromItem } from './user-store.js';
import { mfaKey, passkeyIndexKey, REVISION, userKey } from './users-table-keys.js';

export const SIGN_IN_COPY = 'signIn';

export interface CopyItem {
  user: Record<string, unknown>;
  mfa?: Record<string, unknown>;
  passkeys: number;
}

/** A new account's copy: no factors, no passkeys, the user item as written. */
export const newAccountCopy = (userItem: Record<string, unknown>): CopyItem => ({ user: userItem, passkeys: 0 });

/** Strips the key: a copy holds attributes only. */
export function copyOf(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, ...rest } = item;
  return rest;
}

export function parseCopy(tableName: string, userId: string, raw: unknown): SignInCopy | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const copy = raw as Partial<CopyItem>;
  if (!copy.user || typeof copy.passkeys !== 'number') return undefined;
  const user = userFromItem(copy.user);
  if (user.id !== userId) return undefined;
  return {
    user,
    ...(copy.mfa ? { credentials: credentialsFromItem(userId, copy.mfa) } : {}),
    passkeyCount: copy.passkeys,
    unchangedParts: guards(tableName, userId, copy as CopyItem),
  };
}

function guards(TableName: string, userId: string, copy: CopyItem): AtomicPart[] {
  const check = (pk: string, ConditionExpression: string, values: Record<string, unknown>, names = true) => ({
    failure: 'stale' as const,
    op: {
      ConditionCheck: {
        TableName,
        Key: { pk },
        ConditionExpression,
        ...(names ? { ExpressionAttributeNames: { '#rev': REVISION } } : {}),
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      },
    },
  });
  const revision = (item: Record<string, unknown>) => (typeof item[REVISION] === 'number' ? item[REVISION] : 0);
  const same = (pk: string, item: Record<string, unknown>) =>
    revision(item) === 0
      ? check(pk, 'attribute_exists(pk) AND attribute_not_exists(#rev)', {})
      : check(pk, '#rev = :rev', { ':rev': revision(item) });
  return [
    same(userKey(userId), copy.user),
    copy.mfa ? same(mfaKey(userId), copy.mfa) : check(mfaKey(userId), 'attribute_not_exists(pk)', {}, false),
    copy.passkeys === 0
      ? check(passkeyIndexKey(userId), 'attribute_not_exists(ids)', {}, false)
      : check(passkeyIndexKey(userId), 'size(ids) = :n', { ':n': copy.passkeys }, false),
  ];
}

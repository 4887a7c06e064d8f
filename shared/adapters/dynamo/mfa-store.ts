import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AtomicPart } from '../../ports/atomic-part.js';
import type { MfaCredentials, MfaStore, TotpFactor } from '../../ports/mfa-store.js';
import { isConditionalCheckFailed } from './conditional.js';
import { mfaKey, REVISION } from './users-table-keys.js';

type UpdateSpec = [
  expression: string,
  condition: string,
  names: Record<string, string>,
  values: Record<string, unknown>,
];

/**
 * A write that changes the set of factors or codes bumps the item's revision, so a sign-in copy of it is seen to be
 * stale (sign-in-copy-store.ts). Using a step or a code does not: their own conditions decide at verify time.
 */
const BUMP = { names: { '#rev': REVISION }, values: { ':one': 1 }, expression: ' ADD #rev :one' };

/** An accepted code: only on a confirmed factor, and only a step newer than its last one (S60). */
const useStep = (factorId: string, step: number, now: number): UpdateSpec => [
  'SET factors.#f.lastStep = :s, factors.#f.lastUsedAt = :now',
  'factors.#f.confirmed = :t AND (attribute_not_exists(factors.#f.lastStep) OR factors.#f.lastStep < :s)',
  { '#f': factorId },
  { ':t': true, ':s': step, ':now': now },
];

/** A recovery code spent: only while it is still in the set (S62). */
const useCode = (codeHash: string): UpdateSpec => [
  'DELETE recoveryCodes :one',
  'contains(recoveryCodes, :h)',
  {},
  { ':one': new Set([codeHash]), ':h': codeHash },
];

/**
 * Every second factor of an account in ONE users-table item (`MFA#<userId>`, kind `mfa`): a map of factors by id
 * and a string set of recovery-code hashes. One item keeps the sign-in funnel's "does this account need a second
 * factor?" at one GetItem, and lets each single-use rule be one conditional update on it.
 * @example const mfa = new DynamoMfaStore(createDocumentClient(), config.USERS_TABLE);
 */
export class DynamoMfaStore implements MfaStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string): Promise<MfaCredentials | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: mfaKey(userId) }, ConsistentRead: true }),
    );
    return out.Item ? credentialsFromItem(userId, out.Item) : undefined;
  }

  async addTotp(userId: string, factor: TotpFactor): Promise<void> {
    // The map must exist before a nested SET; the first factor creates the item, a lost race falls back to update.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (
        await this.update(
          userId,
          `SET factors.#f = :f${BUMP.expression}`,
          'attribute_exists(pk)',
          { '#f': factor.id, ...BUMP.names },
          { ':f': factor, ...BUMP.values },
        )
      )
        return;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: mfaKey(userId), kind: 'mfa', userId, factors: { [factor.id]: factor }, [REVISION]: 1 },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return;
      } catch (e) {
        if (!isConditionalCheckFailed(e)) throw e;
      }
    }
    throw new Error('add TOTP factor: lost the race twice');
  }

  confirmTotp(userId: string, factorId: string, step: number, now: number, hashes: string[]): Promise<boolean> {
    return this.update(
      userId,
      `SET factors.#f.confirmed = :t, factors.#f.lastStep = :s, factors.#f.lastUsedAt = :now, recoveryCodes = :codes${BUMP.expression}`,
      'factors.#f.confirmed = :false',
      { '#f': factorId, ...BUMP.names },
      { ':t': true, ':false': false, ':s': step, ':now': now, ':codes': new Set(hashes), ...BUMP.values },
    );
  }

  useTotpStep(userId: string, factorId: string, step: number, now: number): Promise<boolean> {
    return this.update(userId, ...useStep(factorId, step, now));
  }

  useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    return this.update(userId, ...useCode(codeHash));
  }

  useTotpStepPart(userId: string, factorId: string, step: number, now: number): AtomicPart {
    return { failure: 'invalid_code', op: { Update: this.updateInput(userId, ...useStep(factorId, step, now)) } };
  }

  useRecoveryCodePart(userId: string, codeHash: string): AtomicPart {
    return { failure: 'invalid_code', op: { Update: this.updateInput(userId, ...useCode(codeHash)) } };
  }

  async replaceRecoveryCodes(userId: string, hashes: string[]): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: mfaKey(userId) },
        UpdateExpression: `SET recoveryCodes = :codes, kind = :kind, userId = :u${BUMP.expression}`,
        ExpressionAttributeNames: BUMP.names,
        ExpressionAttributeValues: { ':codes': new Set(hashes), ':kind': 'mfa', ':u': userId, ...BUMP.values },
      }),
    );
  }

  removeFactor(userId: string, factorId: string): Promise<boolean> {
    return this.update(
      userId,
      `REMOVE factors.#f${BUMP.expression}`,
      'attribute_exists(factors.#f)',
      { '#f': factorId, ...BUMP.names },
      BUMP.values,
    );
  }

  async removeAll(userId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: mfaKey(userId) },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }

  /** One conditional update; false when the condition (or the item) was not there. */
  private updateInput(
    userId: string,
    UpdateExpression: string,
    condition: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ) {
    return {
      TableName: this.tableName,
      Key: { pk: mfaKey(userId) },
      UpdateExpression,
      ConditionExpression: condition,
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    };
  }

  private async update(...input: Parameters<DynamoMfaStore['updateInput']>): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand(this.updateInput(...input)));
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }
}

export function credentialsFromItem(userId: string, item: Record<string, unknown>): MfaCredentials {
  const factors = Object.values((item['factors'] ?? {}) as Record<string, TotpFactor>);
  const codes = item['recoveryCodes'] as Set<string> | undefined;
  return { userId, factors, recoveryCodeHashes: codes ? [...codes] : [] };
}

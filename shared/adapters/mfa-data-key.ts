/**
 * Where the data key that seals TOTP secrets lives: a Secrets Manager secret in AWS (MFA_KEY_SECRET_ID), a file
 * beside the key ring locally (MFA_KEY_FILE, written by the runner before functions start). Read once per container.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { DataKeyDocument } from '../domain/mfa/secret-box.js';

export function parseDataKeys(raw: string | undefined): DataKeyDocument {
  const doc = JSON.parse(raw ?? 'null') as unknown;
  const current = (doc as { current?: unknown } | null)?.current;
  if (typeof current !== 'string' || typeof (doc as Record<string, unknown>)[current] !== 'string') {
    throw new Error('MFA data key: expected {"current": "<kid>", "<kid>": "<key>"}');
  }
  return doc as DataKeyDocument;
}

export const secretsManagerDataKeys = (client: SecretsManagerClient, secretId: string) => async () =>
  parseDataKeys(
    (await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }))).SecretString,
  );

export const fileDataKeys = (file: string) => async () => parseDataKeys(await readFile(file, 'utf8'));

/** The local runner's: creates the file (mode 0600) unless it exists, like the key ring file. */
export async function ensureDataKeyFile(file: string): Promise<void> {
  const doc: DataKeyDocument = { current: 'k1', k1: randomBytes(32).toString('base64url') };
  try {
    await writeFile(file, JSON.stringify(doc), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  }
}

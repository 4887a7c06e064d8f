import { ConditionFailedError } from '../../domain/errors.js';
import type { AssertionReplayStore, ClientStore, MachineClient } from '../../ports/client-store.js';

/**
 * In-memory `ClientStore` with the DynamoDB store's semantics (tombstones, conditional rotation). Records are
 * copied in and out, as a database would.
 * @example const clients = new MemoryClientStore();
 */
export class MemoryClientStore implements ClientStore {
  private readonly clients = new Map<string, MachineClient>();

  async create(client: MachineClient): Promise<void> {
    if (this.clients.has(client.clientId)) throw new ConditionFailedError('create client: id taken');
    this.clients.set(client.clientId, structuredClone(client));
  }

  async get(clientId: string): Promise<MachineClient | undefined> {
    const client = this.clients.get(clientId);
    return client && structuredClone(client);
  }

  async list(): Promise<MachineClient[]> {
    return [...this.clients.values()]
      .filter((c) => c.deletedAt === undefined)
      .sort((a, b) => a.createdAt - b.createdAt || a.clientId.localeCompare(b.clientId))
      .map((c) => structuredClone(c));
  }

  async rotateSecret(clientId: string, secretHash: string, previousExpiresAt: number, now: number): Promise<boolean> {
    const client = this.clients.get(clientId);
    if (!client || client.deletedAt !== undefined || client.secretHash === undefined) return false;
    client.previousSecretHash = client.secretHash;
    client.previousSecretExpiresAt = previousExpiresAt;
    client.secretHash = secretHash;
    client.rotatedAt = now;
    return true;
  }

  async delete(clientId: string, now: number): Promise<boolean> {
    const client = this.clients.get(clientId);
    if (!client || client.deletedAt !== undefined) return false;
    const { secretHash: _s, previousSecretHash: _p, previousSecretExpiresAt: _e, jwks: _j, ...rest } = client;
    this.clients.set(clientId, { ...rest, deletedAt: now });
    return true;
  }
}

/** In-memory `AssertionReplayStore`: check and record in one synchronous step. */
export class MemoryAssertionReplayStore implements AssertionReplayStore {
  private readonly used = new Map<string, number>();

  async use(clientId: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    const key = `${clientId}#${jti}`;
    const seen = this.used.get(key);
    if (seen !== undefined && seen > now) return false;
    this.used.set(key, expiresAt);
    return true;
  }
}

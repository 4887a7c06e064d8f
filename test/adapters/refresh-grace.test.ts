/**
 * S57 through the use-case, against both refresh-token stores (memory, and DynamoDB Local for truth): with a reuse
 * grace, concurrent re-presentations of one token are served, and the family never forks into live sessions.
 */
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoRefreshTokenStore } from '../../shared/adapters/dynamo/refresh-token-store.js';
import { MemoryRefreshTokenStore } from '../../shared/adapters/memory/refresh-token-store.js';
import { MemoryUserStore } from '../../shared/adapters/memory/user-store.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { rotateRefreshToken, type RefreshDeps } from '../../shared/domain/refresh.js';
import { sha256Hex } from '../../shared/domain/secrets.js';
import { startSession } from '../../shared/domain/session.js';
import { type AuthError } from '../../shared/domain/errors.js';
import type { RefreshTokenRecord, RefreshTokenStore } from '../../shared/ports/refresh-token-store.js';
import { freshTables, type FreshTables } from '../helpers/dynamo.js';
import { FrozenClock, memoryKeyRing } from '../helpers/fakes.js';
import { codeOf } from '../helpers/error-code.js';

const DAY = 24 * 3600;
const user = { id: 'u-grace', email: 'grace@example.com', roles: ['user'], emailVerified: true, createdAt: 0 };

let local: FreshTables;
beforeAll(async () => {
  local = await freshTables();
});

const stores: [string, () => { store: RefreshTokenStore; scan: () => Promise<unknown[]> }][] = [
  [
    'MemoryRefreshTokenStore',
    () => {
      const store = new MemoryRefreshTokenStore();
      return { store, scan: async () => store.dump() };
    },
  ],
  [
    'DynamoRefreshTokenStore',
    () => ({
      store: new DynamoRefreshTokenStore(local.doc, local.tables.REFRESH_TOKENS_TABLE),
      scan: async () => {
        const items: unknown[] = [];
        for await (const page of paginateScan({ client: local.doc }, { TableName: local.tables.REFRESH_TOKENS_TABLE }))
          items.push(...(page.Items ?? []));
        return items;
      },
    }),
  ],
];

describe.each(stores)('Use-case: rotateRefreshToken with REFRESH_REUSE_GRACE_SECONDS=10 (%s)', (_name, make) => {
  async function setup() {
    // A year ahead: DynamoDB Local's TTL sweeper (which really deletes) must never see these items as expired.
    const clock = new FrozenClock(Date.now() + 365 * DAY * 1000);
    const users = new MemoryUserStore();
    await users.create(user);
    const { store, scan } = make();
    const deps: RefreshDeps = {
      clock,
      users,
      refreshTokens: store,
      issuer: new AccessTokenIssuer(await memoryKeyRing(), clock, {
        issuer: 'https://auth.test',
        audience: 'https://auth.test',
        ttlSeconds: 900,
      }),
      session: { idleTtlSeconds: 7 * DAY, absoluteTtlSeconds: 30 * DAY },
      reuseGraceSeconds: 10,
    };
    const session = await startSession(deps, user);
    const familyId = (await store.get(sha256Hex(session.refreshToken)))!.familyId;
    const live = async () =>
      (await scan()).filter(
        (i) => (i as RefreshTokenRecord).familyId === familyId && (i as RefreshTokenRecord).status === 'active',
      ) as RefreshTokenRecord[];
    return { deps, clock, session, live };
  }

  it('S57: 8 parallel refreshes of one token are all served and leave exactly one live successor', async () => {
    // Prepare
    const { deps, session, live } = await setup();

    // Act
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => rotateRefreshToken(deps, session.refreshToken)),
    );

    // Assess
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : String((r.reason as AuthError).code)))).toEqual(
      Array(8).fill('ok'),
    );
    const survivors = await live();
    expect(survivors).toHaveLength(1);
    const handedOut = results.map((r) => (r as PromiseFulfilledResult<{ refreshToken: string }>).value.refreshToken);
    expect(new Set(handedOut).size).toBe(8);
  });

  it('S57: a successor retired by a sibling still works inside the window and never adds a second live token', async () => {
    // Prepare: 8 parallel refreshes; the client's jar may keep any one of the answers
    const { deps, session, live } = await setup();
    const results = await Promise.all(Array.from({ length: 8 }, () => rotateRefreshToken(deps, session.refreshToken)));

    // Act: the client carries on with one of the answers that is no longer live
    const next = await rotateRefreshToken(deps, results[0].refreshToken);
    const afterRetired = await live();
    const onward = await rotateRefreshToken(deps, next.refreshToken);

    // Assess
    expect(afterRetired).toHaveLength(1);
    expect(await live()).toHaveLength(1);
    expect(onward.refreshToken).not.toBe(next.refreshToken);
  });

  it('S57: after the window, a retired sibling is reuse and ends the family, live successor included', async () => {
    // Prepare
    const { deps, clock, session, live } = await setup();
    const results = await Promise.all(Array.from({ length: 4 }, () => rotateRefreshToken(deps, session.refreshToken)));
    const survivor = (await live())[0];
    const retired = results.find((r) => sha256Hex(r.refreshToken) !== survivor.tokenHash)!;
    const kept = results.find((r) => sha256Hex(r.refreshToken) === survivor.tokenHash)!;
    clock.advance(11);

    // Act
    const [fromRetired, fromLive] = [
      await codeOf(rotateRefreshToken(deps, retired.refreshToken)),
      await codeOf(rotateRefreshToken(deps, kept.refreshToken)),
    ];

    // Assess
    expect(fromRetired).toBe('token_reused');
    expect(fromLive).toBe('invalid_token');
    expect(await deps.refreshTokens.isFamilyActive(survivor.familyId)).toBe(false);
  });
});

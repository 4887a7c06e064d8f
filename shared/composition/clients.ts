/**
 * Composition of machine clients: the client store (clients table), the assertion replay store and the per-client
 * limiter (ephemeral table), and the token issuer. Built lazily like every other port.
 */
import { DynamoAssertionReplayStore, DynamoClientStore } from '../adapters/dynamo/client-store.js';
import { getConfig, lazy, once, systemClock } from './config.js';
import { getDoc, getIssuer, getRateLimiter } from './handlers.js';
import { required } from '../config/config.js';
import type { ClientAdminDeps } from '../domain/clients/manage.js';
import type { ClientTokenDeps } from '../domain/clients/token.js';

export const getClientStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoClientStore(getDoc(), required(getConfig().CLIENTS_TABLE, 'CLIENTS_TABLE'))),
);
const getReplayStore = /* @__PURE__ */ once(() =>
  lazy(() => new DynamoAssertionReplayStore(getDoc(), required(getConfig().EPHEMERAL_TABLE, 'EPHEMERAL_TABLE'))),
);

/** The token endpoint's URL: `${ISSUER}/oauth2/token`, as discovery publishes it. */
export const tokenEndpointUrl = (issuer: string) => `${issuer}/oauth2/token`;

export function clientAdminDeps(): ClientAdminDeps {
  return {
    clock: systemClock,
    clients: getClientStore(),
    secretOverlapSeconds: getConfig().CLIENT_SECRET_OVERLAP_SECONDS,
  };
}

export function clientTokenDeps(): ClientTokenDeps {
  const c = getConfig();
  return {
    clock: systemClock,
    clients: getClientStore(),
    replay: getReplayStore(),
    limiter: getRateLimiter(),
    issuer: getIssuer(),
    issuerId: c.ISSUER,
    tokenEndpoint: tokenEndpointUrl(c.ISSUER),
    mtlsTokenEndpoint: c.MTLS_ENDPOINT && tokenEndpointUrl(c.MTLS_ENDPOINT),
    limits: { maxPerClient: c.CLIENT_TOKEN_MAX_PER_CLIENT, windowSeconds: c.CLIENT_TOKEN_WINDOW_SECONDS },
  };
}

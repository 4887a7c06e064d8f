/**
 * Cases 1 and 5: the authorizer's warm cost per invocation, per signing algorithm, beside the physical floor
 * (node:crypto's verify of the same token with a ready KeyObject) and authorizers built on aws-jwt-verify,
 * jsonwebtoken (pinned algorithms) and jose (what this project used before); and the token size per algorithm.
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import { importJWK, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { createAuthorizer } from '../../shared/authorizer/authorizer.js';
import { JwksKeySource } from '../../shared/adapters/jwks-key-source.js';
import { encodeAuthContext } from '../../shared/authorizer/auth-context.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { createRing, currentKey, toJwks, type SigningAlg } from '../../shared/domain/key-ring.js';
import { AccessTokenVerifier } from '../../shared/domain/verify-access-token.js';
import { MemoryApiKeyStore } from '../../shared/adapters/memory/api-key-store.js';
import { createApiKeyPath } from '../../shared/authorizer/api-key-path.js';
import { createApiKey } from '../../shared/domain/api-keys/manage.js';
import { exact, figure, interleaved, progress, ratios, type Figure } from './stats.js';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://api.example.test';
const ALGS: SigningAlg[] = ['ES256', 'RS256', 'EdDSA'];

const event = (token: string): APIGatewayRequestAuthorizerEventV2 =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/$default/GET/auth/me',
    identitySource: [`Bearer ${token}`],
    routeKey: 'GET /auth/me',
    rawPath: '/auth/me',
    rawQueryString: '',
    headers: { authorization: `Bearer ${token}`, host: 'api.example.test' },
    requestContext: {},
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

/**
 * Time `ops` sequential calls; ns of this process's CPU time per call (all its threads: a contender that hands work to
 * libuv's pool pays for it too). CPU time, not wall time: on these shared cores the wall clock also counts the time
 * slices other processes got while a sample ran, which swamped the differences measured here.
 */
async function timeOps(fn: () => unknown, ops: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < ops; i++) await fn();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / ops;
}

/** Calibrate the batch size so one sample takes ~`targetMs`. */
async function calibrate(fn: () => unknown, targetMs: number): Promise<number> {
  let ops = 16;
  for (;;) {
    const ns = await timeOps(fn, ops);
    if (ns * ops > (targetMs * 1e6) / 4 || ops > 1e6) return Math.max(16, Math.round((targetMs * 1e6) / ns));
    ops *= 4;
  }
}

interface Contenders {
  /** Sync or async: the result is awaited either way. */
  [name: string]: () => unknown;
}

/**
 * The API-key path through the same authorizer (S78), its module loaded, the store in memory: what the authorizer
 * itself spends on a key — checksum, SHA-256, the cache lookup, the context. `cached`: within the cache window (no
 * read); `read`: a zero-second window, one store read per call (in memory here: DynamoDB's round trip comes on top,
 * see the endpoint figures).
 */
async function apiKeyContenders(): Promise<Contenders> {
  const store = new MemoryApiKeyStore();
  const deps = { apiKeys: store, clock: { now: () => Date.now() } };
  const { key } = await createApiKey(deps, { userId: 'user-1', roles: ['user'], scopes: ['openid'] }, { name: 'b' });
  const denyJwt = { verify: () => Promise.reject(new Error('not a JWT')) };
  const make = (cacheSeconds: number) => {
    const authorize = createAuthorizer({
      verifier: denyJwt,
      apiKeys: async () => createApiKeyPath({ lookup: store, cacheSeconds }),
    });
    const ev = event(key);
    return async () => {
      const r = await authorize(ev);
      if (!r.isAuthorized) throw new Error('api key denied');
    };
  };
  return { 'api-key cached': make(60), 'api-key read': make(0) };
}

/**
 * Distinct tokens per contender call: every call takes the next token of the pool (its own jti), so no contender can
 * profit from having seen that token string before — the pool is larger than any per-token cache would be. What
 * stays the same across the pool is what stays the same in production: the header segment (one per signing key).
 */
export const TOKEN_POOL = 1024;

/** A function that hands out the pool's tokens (or anything made from them) in turn, one per call. */
function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}

export async function contendersFor(
  alg: SigningAlg,
  pool = TOKEN_POOL,
): Promise<{ token: string; tokens: string[]; contenders: Contenders }> {
  const ring = await createRing(alg, new Date());
  const issuer = new AccessTokenIssuer(
    { load: async () => ring },
    { now: () => Date.now() },
    { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 },
  );
  const tokens: string[] = [];
  for (let i = 0; i < pool; i++) {
    const { accessToken } = await issuer.issue(
      // As a sign-in issues it: amr and auth_time are always there.
      {
        id: 'user-1',
        email: 'alice@example.com',
        roles: ['user'],
        amr: ['pwd'],
        authTime: Math.floor(Date.now() / 1000),
      },
      'openid profile',
    );
    tokens.push(accessToken);
  }
  const token = tokens[0];
  const jwks = toJwks(ring);
  const jwk = currentKey(ring).publicJwk;

  // The floor: the least any verifier of this token must do — take the signing input and the signature out of
  // the compact token and check the signature with a ready KeyObject (and its options, built once). No header, no
  // claims, no key lookup.
  const key: KeyObject = createPublicKey({ key: jwk as never, format: 'jwk' });
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const keyArg = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  const nextRaw = cycle(tokens);
  const raw = () => {
    const token = nextRaw();
    const dot = token.lastIndexOf('.');
    if (
      !cryptoVerify(digest, Buffer.from(token.slice(0, dot)), keyArg, Buffer.from(token.slice(dot + 1), 'base64url'))
    ) {
      throw new Error('raw verify failed');
    }
  };

  // This project's authorizer, exactly as deployed: JWKS source (warm cache, loaded once through an in-process
  // GET), verifier, route requirements, context encoding.
  const source = new JwksKeySource({
    url: `${ISSUER}/.well-known/jwks.json`,
    cooldownSeconds: 30,
    cacheSeconds: 600,
    get: async () => ({ status: 200, body: JSON.stringify(jwks) }),
  });
  const authorize = createAuthorizer({
    verifier: new AccessTokenVerifier(source, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [alg],
      clockToleranceSeconds: 30,
    }),
  });
  const nextEvent = cycle(tokens.map(event));
  const handler = async () => {
    const r = await authorize(nextEvent());
    if (!r.isAuthorized) throw new Error('handler denied');
  };

  // aws-jwt-verify with its own JWKS cache, pre-filled (no network); typ checked by its customJwtCheck hook.
  const awsVerifier = JwtVerifier.create({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: `${ISSUER}/.well-known/jwks.json`,
    customJwtCheck: ({ header }) => {
      if (header.typ !== 'at+jwt') throw new Error('typ');
    },
  });
  awsVerifier.cacheJwks(jwks as never);
  const nextAws = cycle(tokens);
  const awsJwtVerify = async () => {
    const payload = (await awsVerifier.verify(nextAws())) as unknown as {
      sub: string;
      jti: string;
      email: string;
      email_verified: boolean;
      roles: string[];
      scope: string;
      amr: string[];
      auth_time: number;
    };
    // The same claims-to-context step as ours, so both contenders do the same work after the signature.
    encodeAuthContext({
      sub: payload.sub,
      jti: payload.jti,
      email: payload.email,
      emailVerified: payload.email_verified,
      roles: payload.roles,
      scope: payload.scope,
      amr: payload.amr,
      authTime: payload.auth_time,
    });
  };

  // jose 6 (WebCrypto), as this project's verifier used it before.
  const joseKey = await importJWK(jwk, alg);
  const nextJose = cycle(tokens);
  const jose = async () => {
    const { payload } = await jwtVerify(nextJose(), joseKey, {
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      clockTolerance: 30,
    });
    encodeAuthContext({ amr: [], ...payload } as never);
  };

  const contenders: Contenders = { raw, handler, 'aws-jwt-verify': awsJwtVerify, jose };
  if (alg === 'ES256') Object.assign(contenders, await apiKeyContenders());
  if (alg !== 'EdDSA') {
    // jsonwebtoken has no EdDSA support.
    const pem = key.export({ type: 'spki', format: 'pem' }) as string;
    const nextJsonwebtoken = cycle(tokens);
    contenders.jsonwebtoken = () => {
      const payload = jsonwebtoken.verify(nextJsonwebtoken(), pem, {
        algorithms: [alg],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: 30,
      });
      encodeAuthContext({ amr: [], ...(payload as object) } as never);
    };
  }
  // Everyone must accept the token before being timed.
  for (const [name, fn] of Object.entries(contenders)) {
    try {
      await fn();
    } catch (e) {
      throw new Error(`${alg} ${name} rejected a good token: ${String(e)}`, { cause: e });
    }
  }
  return { token, tokens, contenders };
}

export async function benchAuthorizer(options: { rounds: number; sampleMs: number }): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const alg of ALGS) {
    progress(`${alg}: calibrating, then ${options.rounds} interleaved rounds`);
    const { token, contenders } = await contendersFor(alg);
    figures.push(exact(`token size ${alg}`, 'bytes', Buffer.byteLength(token)));
    const ops: Record<string, number> = {};
    for (const [name, fn] of Object.entries(contenders)) ops[name] = await calibrate(fn, options.sampleMs);
    const samples = await interleaved(
      Object.fromEntries(Object.entries(contenders).map(([name, fn]) => [name, () => timeOps(fn, ops[name])])),
      options.rounds,
    );
    for (const [name, ns] of Object.entries(samples)) {
      figures.push(
        figure(
          `authorizer ${alg} ${name}`,
          'ops/s',
          ns.map((x) => 1e9 / x),
        ),
      );
      if (name !== 'raw') figures.push(figure(`authorizer ${alg} ${name} / raw`, 'ratio', ratios(ns, samples.raw)));
    }
  }
  return figures;
}

/**
 * S10–S19: every known way to make a JWT verifier accept a token it should not, sent through the real
 * authorizer (HTTP API payload 2.0 events) with a real ES256 ring. "Deny" = the authorizer throws
 * `Unauthorized`, which API Gateway answers with 401.
 */
import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // The handler module builds its default dependencies at import (cold start); give it a valid config.
  process.env.ISSUER ??= 'https://auth.example.test';
});

import { createAuthorizer, type Authorizer } from '../../shared/authorizer/authorizer.js';
import { JwksKeySource } from '../../shared/adapters/jwks-key-source.js';
import { StaticKeySource } from '../../shared/adapters/static-key-source.js';
import { getAuthContext } from '../../shared/authorizer/auth-context.js';
import { toLowS, toLowSJws } from '../../shared/domain/ecdsa.js';
import { loadConfig } from '../../shared/config/config.js';
import { AccessTokenIssuer } from '../../shared/domain/access-token.js';
import { createRing, currentKey, rotateRing, toJwks } from '../../shared/domain/key-ring.js';
import { AccessTokenVerifier, type VerifyOptions } from '../../shared/domain/verify-access-token.js';
import { logger } from '../../shared/observability/log.js';
import type { KeyRingDocument, PublicKeySource } from '../../shared/ports/key-ring.js';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://api.example.test';
const TOLERANCE = 30;
const VERIFY: VerifyOptions = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['ES256'],
  clockToleranceSeconds: TOLERANCE,
};
/** Order of the P-256 group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

let ring: KeyRingDocument;
let kid: string;
let privateKey: KeyObject;
let publicJwk: JWK;
let issuer: AccessTokenIssuer;
let keySource: StaticKeySource;
let authorize: Authorizer;

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowS();
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat,
    exp: iat + 900,
    jti: `jti-${randomBytes(6).toString('hex')}`,
    client_id: AUDIENCE,
    email: 'alice@example.com',
    roles: ['user'],
    scope: 'openid',
    ...overrides,
  };
}

const ourHeader = (overrides: Record<string, unknown> = {}) => ({ alg: 'ES256', kid, typ: 'at+jwt', ...overrides });

type Alg = 'ES256' | 'ES384' | 'RS256' | 'PS256';

/** Signs any header and payload by hand, so the test controls every byte jose would refuse to produce. */
function signToken(
  header: Record<string, unknown>,
  payload: unknown,
  key: KeyObject = privateKey,
  alg: Alg = 'ES256',
): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  const data = Buffer.from(input);
  const signature =
    alg === 'ES256'
      ? toLowS(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })) // the canonical form we issue
      : alg === 'ES384'
        ? sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' })
        : alg === 'PS256'
          ? sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
          : sign('sha256', data, key);
  return `${input}.${signature.toString('base64url')}`;
}

const hs256 = (header: Record<string, unknown>, payload: unknown, secret: string | Buffer) => {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

/** The token as jose signs it, with only the claim under test wrong. */
const joseToken = async (payload: Record<string, unknown>, header: Record<string, unknown> = ourHeader()) =>
  toLowSJws(
    await new SignJWT(payload)
      .setProtectedHeader(header as { alg: string })
      .sign(await importJWK(currentKey(ring).privateJwk, 'ES256')),
  );

const goodToken = async (roles = ['user']) =>
  (await issuer.issue({ id: 'user-1', email: 'alice@example.com', roles }, 'openid profile')).accessToken;

function httpEvent(
  authorization: string | undefined,
  routeKey = 'GET /auth/me',
  extra: Partial<APIGatewayRequestAuthorizerEventV2> = {},
) {
  const headers: Record<string, string> = { host: 'api.example.test' };
  if (authorization !== undefined) headers.authorization = authorization;
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/auth/me',
    identitySource: authorization !== undefined ? [authorization] : [],
    routeKey,
    rawPath: '/auth/me',
    rawQueryString: '',
    cookies: [],
    headers,
    requestContext: {} as APIGatewayRequestAuthorizerEventV2['requestContext'],
    ...extra,
  } satisfies APIGatewayRequestAuthorizerEventV2;
}

// --- log capture: the deny reason is asserted, and no line may ever carry the token --------------------
let logged: unknown[][] = [];
const capture = ((...args: unknown[]) => {
  logged.push(args);
}) as never;
const denyReasons = () =>
  logged
    .map((args) => args[1] as { securityEvent?: string; reason?: string } | undefined)
    .filter((f) => f?.securityEvent === 'authorizer_deny')
    .map((f) => f!.reason);

/** Asserts the 401 and returns the logged reason code. */
async function expectDenied(token: string, auth: Authorizer = authorize): Promise<string | undefined> {
  logged = [];
  await expect(auth(httpEvent(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
  expect(JSON.stringify(logged)).not.toContain(token);
  return denyReasons().at(-1);
}

/** A loopback HTTP server that counts the requests it receives. */
async function countingServer(
  body: () => unknown,
  status = 200,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((_req, res) => {
    count += 1;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  ring = await createRing('ES256', new Date());
  const current = currentKey(ring);
  kid = current.kid;
  privateKey = createPrivateKey({ key: current.privateJwk as never, format: 'jwk' });
  publicJwk = current.publicJwk;
  issuer = new AccessTokenIssuer(
    { load: async () => ring },
    { now: () => Date.now() },
    { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900 },
  );
});

beforeEach(() => {
  logged = [];
  vi.spyOn(logger, 'info').mockImplementation(capture);
  vi.spyOn(logger, 'warn').mockImplementation(capture);
  vi.spyOn(logger, 'error').mockImplementation(capture);
  keySource = new StaticKeySource(toJwks(ring));
  authorize = createAuthorizer({ verifier: new AccessTokenVerifier(keySource, VERIFY) });
});
afterEach(() => vi.restoreAllMocks());

describe('Authorizer: positive controls', () => {
  it('S9/S20, S53: a good token is allowed and passes {sub, email, email_verified, roles, scope, jti, amr} as context', async () => {
    // Prepare
    const token = await goodToken(['user', 'admin']);

    // Act
    const result = await authorize(httpEvent(`Bearer ${token}`));

    // Assess
    expect(result).toEqual({
      isAuthorized: true,
      context: {
        sub: 'user-1',
        email: 'alice@example.com',
        roles: 'user admin',
        scope: 'openid profile',
        jti: decodeJwt(token).jti,
        // The token was issued without a proof of the address: the context says so, it never defaults to proven.
        email_verified: 'false',
        amr: '',
      },
    });
    expect(getAuthContext({ requestContext: { authorizer: { lambda: result.context } } })).toEqual({
      sub: 'user-1',
      email: 'alice@example.com',
      emailVerified: false,
      roles: ['user', 'admin'],
      scope: 'openid profile',
      jti: decodeJwt(token).jti,
      amr: [],
    });
  });

  it('S20: a valid token without the route role is 403 (isAuthorized false), not 401, and is allowed on a route without one', async () => {
    // Prepare
    const token = await goodToken(['guest']);

    // Act
    const onMe = await authorize(httpEvent(`Bearer ${token}`, 'GET /auth/me'));
    const onLogoutAll = await authorize(httpEvent(`Bearer ${token}`, 'POST /auth/logout-all'));

    // Assess
    expect(onMe).toEqual({ isAuthorized: false });
    expect(denyReasons()).toContain('insufficient_privilege');
    expect(onLogoutAll.isAuthorized).toBe(true);
  });

  it('S20: route scopes are all required', async () => {
    // Prepare
    const auth = createAuthorizer({
      verifier: new AccessTokenVerifier(keySource, VERIFY),
      requirements: () => ({ scopes: ['openid', 'admin:write'] }),
    });
    const token = await goodToken();

    // Act
    const result = await auth(httpEvent(`Bearer ${token}`));

    // Assess
    expect(result).toEqual({ isAuthorized: false });
  });
});

describe('S10: algorithm pinning', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('S10: alg %s with an empty signature is denied', async (alg) => {
    // Prepare
    const token = `${b64u(ourHeader({ alg }))}.${b64u(claims())}.`;

    // Act / Assess
    expect(await expectDenied(token)).toBe('malformed');
  });

  it.each(['none', 'NONE'])('S10: alg %s carrying a real signature is denied', async (alg) => {
    // Prepare: our own valid signature, relabelled as unsigned.
    const [, payload, signature] = (await goodToken()).split('.');
    const token = `${b64u(ourHeader({ alg }))}.${payload}.${signature}`;

    // Act / Assess
    expect(await expectDenied(token)).toBe('claim_invalid');
  });

  const publicKeyForms: [string, () => string | Buffer][] = [
    [
      'PEM (SPKI)',
      () => createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }),
    ],
    [
      'DER bytes',
      () => createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' }),
    ],
    ['the JWK JSON string', () => JSON.stringify(publicJwk)],
    ['a blank secret', () => ''],
  ];

  it.each(publicKeyForms)('S10: HS256 keyed with our public key as %s is denied', async (_form, secret) => {
    // Prepare
    const token = hs256(ourHeader({ alg: 'HS256' }), claims(), secret());

    // Act / Assess
    expect(await expectDenied(token)).toBe('claim_invalid');
  });

  it.each(publicKeyForms)(
    'S10: HS256 (%s) is denied even by a verifier misconfigured to allow HS256: the key decides the alg',
    async (_form, secret) => {
      // Prepare
      const misconfigured = createAuthorizer({
        verifier: new AccessTokenVerifier(keySource, { ...VERIFY, algorithms: ['ES256', 'HS256'] }),
      });
      const token = hs256(ourHeader({ alg: 'HS256' }), claims(), secret());

      // Act / Assess
      expect(await expectDenied(token, misconfigured)).toBe('unknown_kid');
    },
  );

  it.each<[Alg, () => KeyObject]>([
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
    ['ES384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey],
    ['PS256', () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey],
  ])('S10: %s (not configured) is denied', async (alg, key) => {
    // Prepare: validly signed, but by an algorithm this deployment does not use.
    const token = signToken(ourHeader({ alg }), claims(), key(), alg);

    // Act / Assess
    expect(await expectDenied(token)).toBe('claim_invalid');
  });
});

describe('S11: signature integrity', () => {
  it('S11: a stripped signature (header.payload.) is denied', async () => {
    // Prepare
    const [h, p] = (await goodToken()).split('.');

    // Act / Assess
    expect(await expectDenied(`${h}.${p}.`)).toBe('malformed');
  });

  it('S11: one flipped bit in the signature is denied', async () => {
    // Prepare
    const [h, p, s] = (await goodToken()).split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[17] ^= 0x01;

    // Act / Assess
    expect(await expectDenied(`${h}.${p}.${sig.toString('base64url')}`)).toBe('bad_signature');
  });

  it('S11: tampered claims (roles: [admin]) with the original signature are denied', async () => {
    // Prepare
    const [h, p, s] = (await goodToken()).split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = b64u({ ...payload, roles: ['admin'] });

    // Act / Assess
    expect(await expectDenied(`${h}.${tampered}.${s}`)).toBe('bad_signature');
  });
});

describe('S12: keys are never taken from the token', () => {
  let attacker: { privateKey: KeyObject; jwk: JWK };
  let attackerServer: Awaited<ReturnType<typeof countingServer>>;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'attacker', alg: 'ES256', use: 'sig' };
    attacker = {
      privateKey: createPrivateKey({ key: (await exportJWK(pair.privateKey)) as never, format: 'jwk' }),
      jwk,
    };
    attackerServer = await countingServer(() => ({ keys: [jwk] }));
  });
  afterAll(() => attackerServer.close());

  it('S12: an embedded jwk header is denied (attacker key, attacker kid or ours)', async () => {
    // Prepare
    const withAttackerKid = signToken(ourHeader({ kid: 'attacker', jwk: attacker.jwk }), claims(), attacker.privateKey);
    const withOurKid = signToken(ourHeader({ jwk: { ...attacker.jwk, kid } }), claims(), attacker.privateKey);

    // Act / Assess
    expect(await expectDenied(withAttackerKid)).toBe('forbidden_header');
    expect(await expectDenied(withOurKid)).toBe('forbidden_header');
  });

  it.each(['jku', 'x5u'])('S12: a %s header is denied and the URL is never fetched', async (name) => {
    // Prepare: one token signed by the attacker, and one even signed by our own key.
    const url = `${attackerServer.url}/jwks.json`;
    const forged = signToken(ourHeader({ kid: 'attacker', [name]: url }), claims(), attacker.privateKey);
    const ours = signToken(ourHeader({ [name]: url }), claims());

    // Act
    const reasons = [await expectDenied(forged), await expectDenied(ours)];

    // Assess
    expect(reasons).toEqual(['forbidden_header', 'forbidden_header']);
    expect(attackerServer.requests()).toBe(0);
  });

  it('S12: an x5c header (certificate chain in the token) is denied', async () => {
    // Prepare
    const der = createPublicKey({ key: attacker.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    const token = signToken(
      ourHeader({ kid: 'attacker', x5c: [der.toString('base64')] }),
      claims(),
      attacker.privateKey,
    );

    // Act / Assess
    expect(await expectDenied(token)).toBe('forbidden_header');
  });
});

describe('S13: kid is only a lookup in our own ring', () => {
  it('S13: an unknown random kid is denied', async () => {
    // Prepare
    const token = signToken(ourHeader({ kid: randomBytes(16).toString('base64url') }), claims());

    // Act / Assess
    expect(await expectDenied(token)).toBe('unknown_kid');
  });

  it.each([
    ['path-like', '../../etc/passwd'],
    ['SQL-like', "' OR 1=1 --"],
    ['10 KB', 'k'.repeat(10 * 1024)],
    ['null-byte', 'abc\u0000def'],
  ])('S13: a %s kid is denied without a key lookup', async (_kind, hostileKid) => {
    // Prepare
    const lookup = vi.spyOn(keySource, 'getKey');
    const token = signToken(ourHeader({ kid: hostileKid }), claims());

    // Act
    const reason = await expectDenied(token);

    // Assess
    expect(['unknown_kid', 'too_large']).toContain(reason);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('S13: 1,000 tokens with random kids cause at most one JWKS refetch per cooldown', async () => {
    // Prepare
    const jwks = await countingServer(() => toJwks(ring));
    let clock = Date.now();
    const source = new JwksKeySource({
      url: `${jwks.url}/.well-known/jwks.json`,
      cooldownSeconds: 30,
      cacheSeconds: 600,
      now: () => clock,
    });
    const auth = createAuthorizer({ verifier: new AccessTokenVerifier(source, VERIFY) });
    const randomKidToken = () => signToken(ourHeader({ kid: randomBytes(16).toString('base64url') }), claims());
    const flood = async (n: number) => {
      const results = await Promise.allSettled(
        Array.from({ length: n }, () => auth(httpEvent(`Bearer ${randomKidToken()}`))),
      );
      return results.filter((r) => r.status === 'fulfilled').length;
    };

    try {
      // Act: 500 at once, then 500 one by one, all within one cooldown; then a later cooldown.
      const allowedConcurrent = await flood(500);
      let allowedSequential = 0;
      for (let i = 0; i < 500; i++) allowedSequential += await flood(1);
      const fetchesInFirstCooldown = jwks.requests();
      clock += 31_000;
      const allowedLater = await flood(1000);
      const good = await auth(httpEvent(`Bearer ${await goodToken()}`));

      // Assess
      expect(allowedConcurrent + allowedSequential + allowedLater).toBe(0);
      expect(fetchesInFirstCooldown).toBeLessThanOrEqual(2);
      expect(jwks.requests() - fetchesInFirstCooldown).toBeLessThanOrEqual(1);
      expect(good.isAuthorized).toBe(true);
    } finally {
      await jwks.close();
    }
  });
});

describe('S14: ECDSA edge cases', () => {
  const withSignature = async (sig: Buffer) => {
    const [h, p] = (await goodToken()).split('.');
    return `${h}.${p}.${sig.toString('base64url')}`;
  };
  const be32 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');

  it('S14: r = s = 0 (64 zero bytes) is denied', async () => {
    expect(await expectDenied(await withSignature(Buffer.alloc(64)))).toBe('bad_signature');
  });

  it('S14: r = n (the curve order) is denied', async () => {
    // Prepare
    const [h, p, s] = (await goodToken()).split('.');
    const sig = Buffer.from(s, 'base64url');
    const forged = Buffer.concat([be32(P256_N), sig.subarray(32)]);

    // Act / Assess
    expect(await expectDenied(`${h}.${p}.${forged.toString('base64url')}`)).toBe('bad_signature');
  });

  it('S14: r = s = 2^256 − 1 (all 0xff, ≥ n) is denied', async () => {
    expect(await expectDenied(await withSignature(Buffer.alloc(64, 0xff)))).toBe('bad_signature');
  });

  it('S14: a DER-encoded signature instead of raw r‖s is denied', async () => {
    // Prepare: a valid signature by our key, in the wrong encoding.
    const input = `${b64u(ourHeader())}.${b64u(claims())}`;
    const der = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'der' });

    // Act / Assess
    expect(await expectDenied(`${input}.${der.toString('base64url')}`)).toBe('bad_signature');
  });

  it('S14: the malleated twin (r, n − s) of a valid token is denied: only the low-S form we issue is accepted', async () => {
    // Prepare
    const token = await goodToken();
    const [h, p, s] = token.split('.');
    const sig = Buffer.from(s, 'base64url');
    const r = sig.subarray(0, 32);
    const highS = P256_N - BigInt(`0x${sig.subarray(32).toString('hex')}`);
    const malleated = `${h}.${p}.${Buffer.concat([r, be32(highS)]).toString('base64url')}`;

    // Act / Assess: the twin verifies mathematically, but a token has exactly one accepted string.
    expect(
      verify(
        'sha256',
        Buffer.from(`${h}.${p}`),
        { key: createPublicKey(privateKey), dsaEncoding: 'ieee-p1363' },
        Buffer.concat([r, be32(highS)]),
      ),
    ).toBe(true);
    expect(await expectDenied(malleated)).toBe('bad_signature');
    expect((await authorize(httpEvent(`Bearer ${token}`))).isAuthorized).toBe(true);
  });

  it('S14: every token we issue carries a low-S signature (so none is refused for its form)', async () => {
    for (let i = 0; i < 40; i++) {
      const sig = Buffer.from((await goodToken()).split('.')[2], 'base64url');
      expect(BigInt(`0x${sig.subarray(32).toString('hex')}`) <= P256_N / 2n).toBe(true);
    }
  });
});

describe('S15: time', () => {
  it('S15: an expired token is denied', async () => {
    const token = await joseToken(claims({ iat: nowS() - 4000, exp: nowS() - 3600 }));
    expect(await expectDenied(token)).toBe('expired');
  });

  it('S15: a token expired by just more than the leeway is denied, one inside the leeway is allowed', async () => {
    // Prepare
    const justOutside = await joseToken(claims({ iat: nowS() - 900, exp: nowS() - TOLERANCE - 5 }));
    const justInside = await joseToken(claims({ iat: nowS() - 900, exp: nowS() - TOLERANCE + 5 }));

    // Act / Assess
    expect(await expectDenied(justOutside)).toBe('expired');
    expect((await authorize(httpEvent(`Bearer ${justInside}`))).isAuthorized).toBe(true);
  });

  it('S15: nbf in the future is denied', async () => {
    const token = await joseToken(claims({ nbf: nowS() + 3600 }));
    expect(await expectDenied(token)).toBe('claim_invalid');
  });

  it('S15: iat in the future (beyond the leeway) is denied', async () => {
    const token = await joseToken(claims({ iat: nowS() + TOLERANCE + 60, exp: nowS() + 900 }));
    expect(await expectDenied(token)).toBe('claim_invalid');
  });

  it('S15: a token without exp is denied', async () => {
    const { exp: _exp, ...noExp } = claims();
    expect(await expectDenied(await joseToken(noExp))).toBe('claim_invalid');
  });

  it('S15: the configured leeway cannot exceed 60 s', () => {
    expect(() => loadConfig({ ISSUER, CLOCK_TOLERANCE_SECONDS: '61' })).toThrow(/CLOCK_TOLERANCE_SECONDS/);
    expect(loadConfig({ ISSUER, CLOCK_TOLERANCE_SECONDS: '60' }).CLOCK_TOLERANCE_SECONDS).toBe(60);
  });
});

describe('S16: exact iss and aud', () => {
  it.each([
    ['a trailing slash', `${ISSUER}/`],
    ['other case', ISSUER.toUpperCase()],
    ['a foreign issuer', 'https://evil.example'],
  ])('S16: iss with %s is denied', async (_kind, iss) => {
    expect(await expectDenied(await joseToken(claims({ iss })))).toBe('claim_invalid');
  });

  it('S16: a missing iss is denied', async () => {
    const { iss: _iss, ...noIss } = claims();
    expect(await expectDenied(await joseToken(noIss))).toBe('claim_invalid');
  });

  it.each([
    ['missing', undefined],
    ['foreign', 'https://other-api.example'],
    ['an array with only a foreign value', ['https://other-api.example']],
    ['our audience with a trailing slash', `${AUDIENCE}/`],
    ['our audience in other case', AUDIENCE.toUpperCase()],
  ])('S16: aud %s is denied', async (_kind, aud) => {
    expect(await expectDenied(await joseToken(claims({ aud })))).toBe('claim_invalid');
  });
});

describe('S17: type confusion', () => {
  it('S17: typ JWT signed by our key is denied', async () => {
    expect(await expectDenied(await joseToken(claims(), ourHeader({ typ: 'JWT' })))).toBe('claim_invalid');
  });

  it('S17: no typ is denied', async () => {
    expect(await expectDenied(await joseToken(claims(), { alg: 'ES256', kid }))).toBe('claim_invalid');
  });

  it('S17: an ID-token-shaped JWT (typ JWT, nonce, azp, auth_time) signed by our key is denied', async () => {
    // Prepare
    const idToken = claims({
      aud: AUDIENCE,
      nonce: 'n-0S6_WzA2Mj',
      azp: AUDIENCE,
      auth_time: nowS(),
      at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
    });

    // Act / Assess
    expect(await expectDenied(await joseToken(idToken, ourHeader({ typ: 'JWT' })))).toBe('claim_invalid');
  });
});

describe('S18: strict format', () => {
  /** Signs raw JSON texts, so a test can put a member name twice (JSON.stringify never would). */
  const signRaw = (headerJson: string, payloadJson: string) => {
    const input = `${Buffer.from(headerJson).toString('base64url')}.${Buffer.from(payloadJson).toString('base64url')}`;
    return `${input}.${toLowS(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })).toString('base64url')}`;
  };
  const json = (o: Record<string, unknown>) => JSON.stringify(o).slice(1, -1);

  it('S18: duplicate header names are refused one fixed way, whichever copy is first', async () => {
    const header = json(ourHeader());
    for (const text of [
      `{"alg":"none",${header}}`,
      `{${header},"alg":"none"}`,
      `{${header},"typ":"at+jwt"}`,
      `{${header},"kid" : "other"}`,
    ]) {
      expect(await expectDenied(signRaw(text, JSON.stringify(claims())))).toBe('malformed');
    }
  });

  it('S18: duplicate claim names are refused (roles twice cannot smuggle a role past one parser)', async () => {
    const payload = `{${json(claims())},"roles":["admin"]}`;
    expect(await expectDenied(signRaw(JSON.stringify(ourHeader()), payload))).toBe('malformed');
    // The same texts without the duplicate verify: the refusal is about the duplicate only.
    expect(
      (
        await authorize(
          httpEvent(
            `Bearer ${signRaw(JSON.stringify(ourHeader()), JSON.stringify(claims({ roles: ['user', 'admin'] })))}`,
          ),
        )
      ).isAuthorized,
    ).toBe(true);
  });

  it('S18: an unknown crit header is denied (validly signed by our key)', async () => {
    const token = signToken(
      ourHeader({ crit: ['urn:example:must-understand'], 'urn:example:must-understand': true }),
      claims(),
    );
    expect(await expectDenied(token)).toBe('claim_invalid');
  });

  it('S18: b64=false (unencoded payload) under crit is denied', async () => {
    const token = signToken(ourHeader({ crit: ['b64'], b64: false }), claims());
    expect(await expectDenied(token)).toBe('claim_invalid');
  });

  it('S18: a JWE-shaped 5-segment token is denied', async () => {
    const jwe = [
      b64u({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid }),
      b64u('k'),
      b64u('iv'),
      b64u('ct'),
      b64u('tag'),
    ].join('.');
    expect(await expectDenied(jwe)).toBe('malformed');
  });

  it('S18: JSON serialization is denied', async () => {
    const [h, p, s] = (await goodToken()).split('.');
    expect(await expectDenied(JSON.stringify({ payload: p, protected: h, signature: s }))).toBe('malformed');
    expect(
      await expectDenied(Buffer.from(JSON.stringify({ payload: p, protected: h, signature: s })).toString('base64url')),
    ).toBe('malformed');
  });

  it('S18: 4 segments are denied', async () => {
    expect(await expectDenied(`${await goodToken()}.${b64u('extra')}`)).toBe('malformed');
  });

  it.each([
    // Overwrite one character: an honest JWT may contain no '-' or '_' at all, so nothing is "converted".
    ['standard base64 +', (t: string) => `${t.slice(0, 10)}+${t.slice(11)}`],
    ['standard base64 /', (t: string) => `${t.slice(0, -5)}/${t.slice(-4)}`],
    ['padding =', (t: string) => `${t}==`],
    ['a dot-adjacent percent-encoding', (t: string) => t.replace('.', '%2E.')],
  ])('S18: non-base64url characters (%s) are denied', async (_kind, mangle) => {
    const token = mangle(await goodToken());
    const reason = await expectDenied(token);
    expect(['malformed', 'malformed_header']).toContain(reason);
  });

  it('S18: a signature with its spare trailing bits set is denied: one accepted string per signature (S14)', async () => {
    // Prepare: 64 bytes take 86 characters, whose last one carries 4 unused bits; every other choice of them
    // decodes to the very same signature.
    const token = await goodToken();
    const last = token.at(-1)!;
    const value = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(last);
    const twins = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']
      .filter((c, i) => i >> 4 === value >> 4 && c !== last)
      .map((c) => `${token.slice(0, -1)}${c}`);
    const lookup = vi.spyOn(keySource, 'getKey');

    // Act / Assess
    expect(twins).toHaveLength(15);
    for (const twin of twins) {
      expect(Buffer.from(twin.split('.')[2], 'base64url')).toEqual(Buffer.from(token.split('.')[2], 'base64url'));
      expect(await expectDenied(twin)).toBe('malformed');
    }
    expect(lookup).not.toHaveBeenCalled();
    expect((await authorize(httpEvent(`Bearer ${token}`))).isAuthorized).toBe(true);
  });

  it('S18: a header or payload with spare trailing bits set, or a segment of 4n+1 characters, is denied before any key lookup', async () => {
    // Prepare: segments whose length leaves spare bits in the last character; every twin decodes to the same bytes.
    const twin = (segment: string) => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const spare = segment.length % 4 === 2 ? 0x0f : 0x03;
      return `${segment.slice(0, -1)}${alphabet[alphabet.indexOf(segment.at(-1)!) | spare]}`;
    };
    /** A value of `pad` that gives the object a base64url spelling whose length is not a multiple of 4. */
    const unaligned = (o: Record<string, unknown>) => {
      for (let pad = ''; ; pad += 'x') if (b64u({ ...o, pad }).length % 4 !== 0) return { ...o, pad };
    };
    /** The segment made 4n+1 characters long by appending `A`s. */
    const oneOver = (segment: string) => `${segment}${'A'.repeat((5 - (segment.length % 4)) % 4 || 4)}`;
    const [h, p, s] = signToken(ourHeader(), unaligned(claims())).split('.');
    const [h2, p2, s2] = signToken(unaligned(ourHeader()), claims()).split('.');
    const lookup = vi.spyOn(keySource, 'getKey');

    // Act / Assess
    expect((await authorize(httpEvent(`Bearer ${h}.${p}.${s}`))).isAuthorized).toBe(true);
    lookup.mockClear();
    expect(Buffer.from(twin(p), 'base64url')).toEqual(Buffer.from(p, 'base64url'));
    expect(await expectDenied(`${h}.${twin(p)}.${s}`)).toBe('malformed');
    expect(Buffer.from(twin(h2), 'base64url')).toEqual(Buffer.from(h2, 'base64url'));
    expect(await expectDenied(`${twin(h2)}.${p2}.${s2}`)).toBe('malformed');
    expect(await expectDenied(`${oneOver(h)}.${p}.${s}`)).toBe('malformed');
    expect(await expectDenied(`${h}.${oneOver(p)}.${s}`)).toBe('malformed');
    expect(await expectDenied(`${h}.${p}.${oneOver(s)}`)).toBe('malformed');
    expect(lookup).not.toHaveBeenCalled();
  });

  it('S18: a good token with a tab, a trailing space, a second credential or a non-ASCII character is refused as a malformed header, with no key lookup', async () => {
    // Prepare: the real verifier, so the authorizer leaves the character scan to the refusal (authenticate).
    const token = await goodToken();
    const lookup = vi.spyOn(keySource, 'getKey');

    // Act / Assess
    for (const header of [
      `Bearer ${token}\t`,
      `Bearer ${token} `,
      `Bearer ${token}, Bearer ${token}`,
      `Bearer ${token.slice(0, 20)}\u0141${token.slice(21)}`,
      `Bearer ${token.slice(0, 20)}\u0000${token.slice(21)}`,
      'Bearer  ',
    ]) {
      logged = [];
      await expect(authorize(httpEvent(header))).rejects.toThrow(/^Unauthorized$/);
      expect(denyReasons(), JSON.stringify(header)).toEqual(['malformed_header']);
    }
    expect(lookup).not.toHaveBeenCalled();
    expect((await authorize(httpEvent(`Bearer ${token}`))).isAuthorized).toBe(true);
  });

  it('S18: a header seen before spares a token none of its own checks, and a refused header is refused every time', async () => {
    // Prepare: the verifier keeps the outcome of header segments that passed (one per signing key).
    const good = await goodToken();
    const [h, p, s] = good.split('.');
    expect((await authorize(httpEvent(`Bearer ${good}`))).isAuthorized).toBe(true);
    const [, expiredPayload, expiredSig] = (await joseToken(claims({ iat: nowS() - 4000, exp: nowS() - 3600 }))).split(
      '.',
    );
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forged = signToken(ourHeader(), claims(), otherKey).split('.');
    const keyBearing = signToken(ourHeader({ jwk: publicJwk }), claims());

    // Act / Assess: the same header segment, each other part wrong in turn.
    expect(await expectDenied(`${h}.${expiredPayload}.${expiredSig}`)).toBe('expired');
    expect(await expectDenied(`${h}.${forged[1]}.${forged[2]}`)).toBe('bad_signature');
    expect(await expectDenied(`${h}.${p}.${forged[2]}`)).toBe('bad_signature');
    expect(await expectDenied(`${h}.${p.slice(0, 5)}+${p.slice(6)}.${s}`)).toBe('malformed');
    expect(await expectDenied(`${h}.${p}`)).toBe('malformed');
    for (let i = 0; i < 2; i++) expect(await expectDenied(keyBearing)).toBe('forbidden_header');
    expect((await authorize(httpEvent(`Bearer ${good}`))).isAuthorized).toBe(true);
  });

  it('S18: a token over 8 KB is denied before any key lookup, even when validly signed', async () => {
    // Prepare
    const lookup = vi.spyOn(keySource, 'getKey');
    const token = signToken(ourHeader(), claims({ padding: 'x'.repeat(9000) }));

    // Act / Assess
    expect(token.length).toBeGreaterThan(8192);
    expect(await expectDenied(token)).toBe('too_large');
    expect(lookup).not.toHaveBeenCalled();
  });

  it('S18: a good token in the query string only is never read (401), even if it is the configured identity source', async () => {
    // Prepare
    const token = await goodToken();
    const event = httpEvent(undefined, 'GET /auth/me', {
      rawQueryString: `access_token=${token}`,
      queryStringParameters: { access_token: token },
      identitySource: [token],
    });

    // Act / Assess
    await expect(authorize(event)).rejects.toThrow(/^Unauthorized$/);
    expect(denyReasons()).toEqual(['missing_token']);
  });

  it('S18: malformed input is denied without touching the key source', async () => {
    // Prepare
    const lookup = vi.spyOn(keySource, 'getKey');

    // Act
    for (const t of [
      'a.b',
      'a.b.c.d',
      '....',
      `${b64u('{')}.${b64u('{}')}.${b64u('s')}`,
      `${b64u('"str"')}.${b64u('{}')}.${b64u('s')}`,
    ]) {
      await expectDenied(t);
    }

    // Assess
    expect(lookup).not.toHaveBeenCalled();
  });
});

describe('S19: fails closed', () => {
  it('S19: when the key source throws, the authorizer denies and logs at error level', async () => {
    // Prepare
    const broken: PublicKeySource = { getKey: async () => Promise.reject(new Error('JWKS fetch failed: HTTP 503')) };
    const auth = createAuthorizer({ verifier: new AccessTokenVerifier(broken, VERIFY) });
    const token = await goodToken();

    // Act
    const reason = await expectDenied(token, auth);

    // Assess
    expect(reason).toBe('keys_unavailable');
    expect(logger.error).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ reason: 'keys_unavailable' }),
    );
  });

  it('S19: a JWKS endpoint that answers 503 on a cold start denies every token, including good ones', async () => {
    // Prepare
    const jwks = await countingServer(() => ({ message: 'unavailable' }), 503);
    const source = new JwksKeySource({ url: `${jwks.url}/jwks.json`, cooldownSeconds: 30, cacheSeconds: 600 });
    const auth = createAuthorizer({ verifier: new AccessTokenVerifier(source, VERIFY) });

    try {
      // Act
      const reason = await expectDenied(await goodToken(), auth);

      // Assess
      expect(reason).toBe('keys_unavailable');
    } finally {
      await jwks.close();
    }
  });

  it('S19: a JWKS endpoint that is not listening denies', async () => {
    // Prepare: a port that was just released.
    const jwks = await countingServer(() => toJwks(ring));
    await jwks.close();
    const source = new JwksKeySource({
      url: `${jwks.url}/jwks.json`,
      cooldownSeconds: 30,
      cacheSeconds: 600,
      timeoutMs: 1000,
    });
    const auth = createAuthorizer({ verifier: new AccessTokenVerifier(source, VERIFY) });

    // Act / Assess
    expect(await expectDenied(await goodToken(), auth)).toBe('keys_unavailable');
  });
});

describe('Key ring: verifier key cache', () => {
  it('S44/S45: a key withdrawn from the published JWKS stops verifying (the verifier keeps no key the source has dropped)', async () => {
    // Prepare: verify once (warms any cache), then publish a ring without that key.
    const token = await goodToken();
    expect((await authorize(httpEvent(`Bearer ${token}`))).isAuthorized).toBe(true);
    const rotatedTwice = await rotateRing(await rotateRing(ring, 'ES256', new Date()), 'ES256', new Date());
    expect(rotatedTwice.keys.map((k) => k.kid)).not.toContain(kid);

    // Act
    keySource.replace(toJwks(rotatedTwice));

    // Assess
    expect(await expectDenied(token)).toBe('unknown_kid');
  });
});

/**
 * A software authenticator for unit and e2e tests: an ES256 key pair from node:crypto, and the WebAuthn JSON
 * responses (attestation `none`, assertions) built with CBOR as an authenticator would. It signs whatever it is
 * told, so tests can also make the wrong responses (no UV flag, wrong origin, a counter going backwards).
 */
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

export interface SoftAuthenticatorOptions {
  origin: string;
  rpId: string;
  /** Default true: the UV flag (S68). */
  userVerified?: boolean;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly cose: Uint8Array;
  counter = 0;
  userHandle: string | undefined;

  constructor(readonly options: SoftAuthenticatorOptions) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    const key = new Map<number, CBORType>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]);
    this.cose = encodeCBOR(key);
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private authData(attested: boolean, overrides: { rpId?: string; userVerified?: boolean } = {}): Buffer {
    const uv = overrides.userVerified ?? this.options.userVerified ?? true;
    const flags = 0x01 | (uv ? 0x04 : 0) | 0x08 | 0x10 | (attested ? 0x40 : 0);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const parts = [sha256(overrides.rpId ?? this.options.rpId), Buffer.from([flags]), count];
    if (attested) {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), len, this.credentialId, Buffer.from(this.cose));
    }
    return Buffer.concat(parts);
  }

  private clientData(type: string, challenge: string, origin?: string): Buffer {
    return Buffer.from(
      JSON.stringify({ type, challenge, origin: origin ?? this.options.origin, crossOrigin: false }),
      'utf8',
    );
  }

  /** A RegistrationResponseJSON answering creation options. */
  register(
    options: { challenge: string; user?: { id: string } },
    overrides: { origin?: string; rpId?: string; userVerified?: boolean; type?: string } = {},
  ) {
    if (options.user) this.userHandle = options.user.id;
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(this.authData(true, overrides))],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(
          this.clientData(overrides.type ?? 'webauthn.create', options.challenge, overrides.origin),
        ),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** An AuthenticationResponseJSON answering request options; the counter goes up by one unless told otherwise. */
  assert(
    options: { challenge: string },
    overrides: {
      origin?: string;
      rpId?: string;
      userVerified?: boolean;
      counter?: number;
      badSignature?: boolean;
    } = {},
  ) {
    this.counter = overrides.counter ?? this.counter + 1;
    const authenticatorData = this.authData(false, overrides);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides.origin);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), this.privateKey);
    if (overrides.badSignature) signature[signature.length - 1] ^= 0xff;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

/**
 * Token signing keys, kept as Kuma keeps them: RSA keys (PKCS#1 PEM) in Secrets named
 * `<prefix>-<serial>`, the highest serial signing new tokens and the serial doubling as the
 * token's `kid`. Dataplane tokens use a mesh Secret per mesh, user tokens a GlobalSecret.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { goQuote } from '../core/go-compat/quote.js';
import { MeshNotFoundError, type ResourceManager } from '../core/manager.js';
import type { Resource } from '../core/resource.js';
import { AlreadyExistsError } from '../store/store.js';

export interface SigningKeyScope {
  kind: 'Secret' | 'GlobalSecret';
  /** '' for GlobalSecrets. */
  mesh: string;
  prefix: string;
}

export const DEFAULT_KEY_ID = '1';
/** Tokens from before key serials existed point at the bare prefix. */
export const LEGACY_KEY_ID = '0';
export const RSA_KEY_BITS = 2048;

export function dataplaneTokenSigningKeys(mesh: string): SigningKeyScope {
  return { kind: 'Secret', mesh, prefix: `dataplane-token-signing-key-${mesh}` };
}

export const USER_TOKEN_SIGNING_KEYS: SigningKeyScope = { kind: 'GlobalSecret', mesh: '', prefix: 'user-token-signing-key' };

export function signingKeyName(prefix: string, kid: string): string {
  return kid === LEGACY_KEY_ID ? prefix : `${prefix}-${kid}`;
}

export class SigningKeyNotFound extends Error {
  constructor(
    readonly kid: string,
    readonly scope: SigningKeyScope,
  ) {
    const name = signingKeyName(scope.prefix, kid);
    super(
      scope.mesh === ''
        ? `there is no signing key with KID ${kid}. GlobalSecret of name ${goQuote(name)} is not found. If signing key was rotated, regenerate the token`
        : `there is no signing key with KID ${kid}. Secret of name ${goQuote(name)} in mesh ${goQuote(scope.mesh)} is not found. If signing key was rotated, regenerate the token`,
    );
    this.name = 'SigningKeyNotFound';
  }
}

/** A stored key that cannot be read as an RSA private key. */
export class SigningKeyUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyUnreadable';
  }
}

const generateRsa = promisify(generateKeyPair);

/** A new signing key as Kuma stores it: PKCS#1 "RSA PRIVATE KEY" PEM. */
export async function newSigningKeyPem(bits = RSA_KEY_BITS): Promise<string> {
  const { privateKey } = await generateRsa('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return privateKey;
}

/** PKCS#1 PEM, or (legacy) raw PKCS#1 DER. */
export function parseSigningKey(bytes: Buffer): KeyObject {
  const text = bytes.toString('utf8');
  const key = text.includes('-----BEGIN RSA PRIVATE KEY-----')
    ? createPrivateKey({ key: text, format: 'pem' })
    : createPrivateKey({ key: bytes, format: 'der', type: 'pkcs1' });
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`signing key is not an RSA key but ${key.asymmetricKeyType}`);
  return key;
}

/** Go's strconv.Atoi on what follows `<prefix>-`; a name it cannot read counts as serial 0. */
function serialOf(name: string, prefix: string): number {
  const rest = name.split(`${prefix}-`).join('');
  if (!/^[+-]?[0-9]+$/.test(rest)) return 0;
  const n = Number(rest);
  return Number.isSafeInteger(n) ? n : 0;
}

function secretBytes(secret: Resource): Buffer {
  const data = (secret.spec as { data?: string }).data ?? '';
  return Buffer.from(data, 'base64');
}

export class SigningKeys {
  /** Parsed keys by Secret identity and version: parsing a PEM costs more than verifying a token. */
  private readonly parsed = new Map<string, { version: string; key: KeyObject }>();

  constructor(private readonly manager: ResourceManager) {}

  private parse(secret: Resource): KeyObject {
    const id = `${secret.type}/${secret.meta.mesh}/${secret.meta.name}`;
    const cached = this.parsed.get(id);
    if (cached && cached.version === secret.meta.version) return cached.key;
    let key: KeyObject;
    try {
      key = parseSigningKey(secretBytes(secret));
    } catch (e) {
      throw new SigningKeyUnreadable(`could not read signing key ${goQuote(secret.meta.name)}: ${(e as Error).message}`);
    }
    this.parsed.set(id, { version: secret.meta.version, key });
    return key;
  }

  private get(scope: SigningKeyScope, kid: string): Promise<Resource | undefined> {
    return this.manager.store.get(scope.kind, { mesh: scope.mesh, name: signingKeyName(scope.prefix, kid) });
  }

  /** The key new tokens are signed with, and its `kid`. */
  async latest(scope: SigningKeyScope): Promise<{ kid: string; key: KeyObject }> {
    const { items } = await this.manager.store.list(scope.kind, scope.kind === 'Secret' ? { mesh: scope.mesh } : {});
    let best: Resource | undefined;
    let bestSerial = -1;
    for (const secret of items) {
      if (!secret.meta.name.startsWith(scope.prefix)) continue;
      const serial = serialOf(secret.meta.name, scope.prefix);
      if (serial > bestSerial) {
        best = secret;
        bestSerial = serial;
      }
    }
    if (!best) throw new SigningKeyNotFound(DEFAULT_KEY_ID, scope);
    return { kid: String(bestSerial), key: this.parse(best) };
  }

  /**
   * Creates the first key when there is none. Safe with several control planes on one store:
   * whoever loses the race reads the winner's key. Returns whether this call created it.
   */
  async ensure(scope: SigningKeyScope): Promise<boolean> {
    try {
      await this.latest(scope);
      return false;
    } catch (e) {
      if (!(e instanceof SigningKeyNotFound)) throw e;
    }
    const pem = await newSigningKeyPem();
    const kind = this.manager.registry.mustGet(scope.kind);
    try {
      await this.manager.create(
        kind,
        { mesh: scope.mesh, name: signingKeyName(scope.prefix, DEFAULT_KEY_ID) },
        { labels: {}, spec: { data: Buffer.from(pem, 'utf8').toString('base64') } },
      );
      return true;
    } catch (e) {
      if (e instanceof AlreadyExistsError) return false;
      if (e instanceof MeshNotFoundError) throw new SigningKeyNotFound(DEFAULT_KEY_ID, scope);
      throw e;
    }
  }

  /** The public half of key `kid`, to verify an RS256 token. */
  async publicKey(scope: SigningKeyScope, kid: string): Promise<KeyObject> {
    const secret = await this.get(scope, kid);
    if (!secret) throw new SigningKeyNotFound(kid, scope);
    return createPublicKey(this.parse(secret));
  }

  /** Pre-RS256 tokens were HMAC-signed with the raw bytes of the unnumbered key. */
  async legacyKey(scope: SigningKeyScope): Promise<Buffer> {
    const secret = await this.get(scope, LEGACY_KEY_ID);
    if (!secret) throw new SigningKeyNotFound(LEGACY_KEY_ID, scope);
    return secretBytes(secret);
  }
}

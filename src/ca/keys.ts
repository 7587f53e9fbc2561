/**
 * Private keys: generated with node:crypto (OpenSSL on the thread pool, much faster than
 * WebCrypto for RSA), written as Kuma writes them, and turned into WebCrypto signers.
 */
import { createPublicKey, generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export async function generateRsaKey(bits: number): Promise<KeyObject> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return privateKey;
}

export async function generateEcdsaP256Key(): Promise<KeyObject> {
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
  return privateKey;
}

/** Kuma's key PEM: PKCS#1 (`RSA PRIVATE KEY`) for RSA, SEC 1 (`EC PRIVATE KEY`) for ECDSA. */
export function privateKeyPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'ec' ? 'sec1' : key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'pkcs8';
  return key.export({ type, format: 'pem' }) as string;
}

/** The DER SubjectPublicKeyInfo of a private key's public half. */
export function publicKeyDer(key: KeyObject): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

export interface Signer {
  key: CryptoKey;
  /** What @peculiar/x509 needs besides the key: the hash Go would pick for this key. */
  algorithm: Algorithm & { hash: string };
}

// Go's x509.CreateCertificate: SHA-256 for RSA and P-256, larger hashes for larger curves
const ECDSA_HASH: Record<string, string> = { prime256v1: 'SHA-256', secp384r1: 'SHA-384', secp521r1: 'SHA-512' };
const WEBCRYPTO_CURVE: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export async function signerFor(key: KeyObject): Promise<Signer> {
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  if (key.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { key: await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']), algorithm };
  }
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  if (key.asymmetricKeyType === 'ec' && ECDSA_HASH[curve]) {
    const cryptoKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: WEBCRYPTO_CURVE[curve] }, false, ['sign']);
    return { key: cryptoKey, algorithm: { name: 'ECDSA', hash: ECDSA_HASH[curve] } };
  }
  throw new Error(`unsupported CA key type: ${key.asymmetricKeyType}${curve ? ` (${curve})` : ''}`);
}

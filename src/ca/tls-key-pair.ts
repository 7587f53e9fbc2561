/** Go's `tls.X509KeyPair`: a PEM chain and the private key of its first certificate, with Go's error texts. */
import type { Buffer } from 'node:buffer';
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { pemBlocks } from './pem.js';

export interface TlsKeyPair {
  /** DER certificates in input order; the first is the one the key belongs to. */
  chain: Buffer[];
  leaf: X509Certificate;
  key: KeyObject;
}

const goList = (items: string[]): string => `[${items.join(' ')}]`;

export function parseTlsKeyPair(certPem: string, keyPem: string): TlsKeyPair | { error: string } {
  const certBlocks = pemBlocks(certPem);
  const chain = certBlocks.filter((b) => b.type === 'CERTIFICATE').map((b) => b.der);
  if (chain.length === 0) {
    const skipped = certBlocks.map((b) => b.type);
    if (skipped.length === 0) return { error: 'tls: failed to find any PEM data in certificate input' };
    if (skipped.length === 1 && skipped[0].endsWith('PRIVATE KEY')) {
      return { error: 'tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched' };
    }
    return { error: `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: ${goList(skipped)}` };
  }

  const keyBlocks = pemBlocks(keyPem);
  const keyIndex = keyBlocks.findIndex((b) => b.type === 'PRIVATE KEY' || b.type.endsWith(' PRIVATE KEY'));
  if (keyIndex < 0) {
    const skipped = keyBlocks.map((b) => b.type);
    if (skipped.length === 0) return { error: 'tls: failed to find any PEM data in key input' };
    if (skipped.length === 1 && skipped[0] === 'CERTIFICATE') return { error: 'tls: found a certificate rather than a key in the PEM for the private key' };
    return { error: `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: ${goList(skipped)}` };
  }

  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(chain[0]);
  } catch {
    return { error: 'x509: malformed certificate' };
  }
  const key = parsePrivateKey(keyBlocks[keyIndex].der);
  if (!key) return { error: 'tls: failed to parse private key' };

  const publicType = leaf.publicKey.asymmetricKeyType;
  if (!['rsa', 'ec', 'ed25519'].includes(publicType ?? '')) return { error: 'tls: unknown public key algorithm' };
  if (key.asymmetricKeyType !== publicType) return { error: 'tls: private key type does not match public key type' };
  if (!samePublicKey(leaf.publicKey, createPublicKey(key))) return { error: 'tls: private key does not match public key' };
  return { chain, leaf, key };
}

/** Like Go, the block's type does not decide the format: PKCS#1, PKCS#8 and SEC 1 are tried in turn. */
function parsePrivateKey(der: Buffer): KeyObject | undefined {
  for (const type of ['pkcs1', 'pkcs8', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // try the next format
    }
  }
  return undefined;
}

function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

/** Certificates for tests that need shapes the CA code never makes. */
import { KeyObject, webcrypto } from 'node:crypto';
import { x509 } from '../../src/ca/x509.js';
import type { KeyPairPem } from '../../src/ca/builtin-ca.js';

export interface SelfSignedOptions {
  ca?: boolean;
  /** Key usage flags; absent means no key usage extension. */
  usages?: number;
  curve?: 'P-256' | 'P-384';
  subject?: string;
  /** Adds a subject key identifier, which lets issued certificates name their authority. */
  keyId?: boolean;
}

/** An ECDSA self-signed certificate with exactly the extensions asked for. */
export async function selfSigned(opts: SelfSignedOptions = {}): Promise<KeyPairPem> {
  const algorithm = { name: 'ECDSA', namedCurve: opts.curve ?? 'P-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [];
  if (opts.ca !== undefined) extensions.push(new x509.BasicConstraintsExtension(opts.ca, undefined, true));
  if (opts.usages !== undefined) extensions.push(new x509.KeyUsagesExtension(opts.usages, true));
  if (opts.keyId) extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: opts.subject ?? 'CN=test',
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: opts.curve === 'P-384' ? 'SHA-384' : 'SHA-256' },
    extensions,
  });
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

/** Server certificates for the DP server: a generated self-signed one, or one loaded from files. */
import 'reflect-metadata';
import { KeyObject, X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

export interface ServerCert {
  certPem: string;
  keyPem: string;
}

const TEN_YEARS_MS = 10 * 365.25 * 24 * 60 * 60 * 1000;
const ALWAYS_VALID_FOR = ['localhost', '127.0.0.1', '::1'];

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** An ECDSA P-256 server certificate for the given DNS names and IPs (plus localhost), valid ten years. */
export async function generateSelfSignedCert(opts: { hosts: string[] }): Promise<ServerCert> {
  const hosts = [...new Set([...opts.hosts.filter((h) => h.length > 0), ...ALWAYS_VALID_FOR])];
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // serial numbers must be positive
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: [hosts[0]!] }],
    notBefore: new Date(now - 60_000), // tolerate small clock skew
    notAfter: new Date(now + TEN_YEARS_MS),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys: keys as CryptoKeyPair,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
    ],
  });
  const keyPem = KeyObject.from(keys.privateKey as CryptoKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

/** Reads a PEM certificate (chain) and its private key, and checks that they belong together. */
export async function loadCert(certFile: string, keyFile: string): Promise<ServerCert> {
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (e) {
    throw new Error(`${certFile}: not a PEM certificate: ${(e as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new Error(`${keyFile}: not a PEM private key: ${(e as Error).message}`);
  }
  if (!cert.checkPrivateKey(key)) throw new Error(`${keyFile} is not the private key of ${certFile}`);
  return { certPem, keyPem };
}

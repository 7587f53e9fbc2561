/**
 * The builtin CA's root certificate, as Kuma's builtin CA plugin makes it: an RSA key and a
 * self-signed CA certificate for `O=Kuma, OU=Mesh, CN=<mesh>` with URI SAN `spiffe://<mesh>`.
 */
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { parseKumaDuration } from '../resources/mesh.js';
import { generateRsaKey, privateKeyPem, publicKeyDer, signerFor } from './keys.js';
import { meshSpiffeId } from './spiffe.js';
import { x509 } from './x509.js';

export interface BuiltinCaConf {
  /** `caCert.RSAbits`; absent or 0 means 2048. */
  rsaBits?: number;
  /** `caCert.expiration`, a Kuma duration such as `10y`; absent or empty means ten years. */
  expiration?: string;
}

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

const DEFAULT_RSA_BITS = 2048;
const ALLOWED_CLOCK_SKEW_MS = 10_000;
const DEFAULT_VALIDITY_MS = 10 * 365 * 24 * 60 * 60 * 1000;

function validityMs(expiration: string | undefined): number {
  if (!expiration) return DEFAULT_VALIDITY_MS;
  const ms = parseKumaDuration(expiration);
  if (ms === undefined) throw new Error(`not a valid duration string: ${JSON.stringify(expiration)}`);
  return ms;
}

/** A fresh CA key pair for the mesh. */
export async function generateBuiltinCa(mesh: string, conf: BuiltinCaConf, now: Date): Promise<KeyPairPem> {
  const validity = validityMs(conf.expiration);
  meshSpiffeId(mesh); // fail before the slow key generation
  const key = await generateRsaKey(conf.rsaBits || DEFAULT_RSA_BITS);
  return { certPem: await selfSignedCaCert(mesh, key, validity, now), keyPem: privateKeyPem(key) };
}

/**
 * A CA certificate for a key that is already stored: lets a control plane that lost the race
 * to store the key complete the CA with the winner's key.
 */
export async function builtinCaCertForKey(mesh: string, keyPem: string, conf: BuiltinCaConf, now: Date): Promise<string> {
  return selfSignedCaCert(mesh, createPrivateKey(keyPem), validityMs(conf.expiration), now);
}

async function selfSignedCaCert(mesh: string, key: KeyObject, validity: number, now: Date): Promise<string> {
  const name = new x509.Name([{ O: ['Kuma'] }, { OU: ['Mesh'] }, { CN: [mesh] }]);
  const publicKey = publicKeyDer(key);
  const signer = await signerFor(key);
  // Kuma uses serial 0; a random positive serial keeps the certificate RFC 5280-conformant
  const serial = randomBytes(16);
  serial[15] |= 1; // never zero
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: name,
    issuer: name,
    notBefore: new Date(now.getTime() - ALLOWED_CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + validity),
    publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    // the extensions and their criticality as Go's x509.CreateCertificate writes them for this template
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.BasicConstraintsExtension(true, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: meshSpiffeId(mesh) }]),
    ],
  });
  return cert.toString('pem') + '\n';
}

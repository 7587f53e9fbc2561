/**
 * A throwaway CA and the serving certificate it signs for the control-plane Service, written into
 * the TLS Secret and the webhooks' caBundle (Kuma's chart generates the same pair at install time).
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { generateEcdsaP256Key, privateKeyPem, publicKeyDer, signerFor } from '../../ca/keys.js';
import { x509 } from '../../ca/x509.js';

export interface WebhookCerts {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const TEN_YEARS_MS = 3650 * 24 * 60 * 60 * 1000;
const CLOCK_SKEW_MS = 60_000;

function serialNumber(): string {
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // positive
  serial[15] |= 1; // never zero
  return serial.toString('hex');
}

interface CertRequest {
  subject: x509.Name;
  issuer: x509.Name;
  publicKey: Uint8Array<ArrayBuffer>;
  signingKey: KeyObject;
  extensions: x509.Extension[];
  now: Date;
}

async function sign(req: CertRequest): Promise<string> {
  const signer = await signerFor(req.signingKey);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: req.subject,
    issuer: req.issuer,
    notBefore: new Date(req.now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(req.now.getTime() + TEN_YEARS_MS),
    publicKey: req.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions: [...req.extensions, await x509.SubjectKeyIdentifierExtension.create(req.publicKey)],
  });
  return cert.toString('pem') + '\n';
}

/** `dnsNames[0]` becomes the serving certificate's common name; all of them its SANs. */
export async function generateWebhookCerts(dnsNames: string[], now = new Date()): Promise<WebhookCerts> {
  if (dnsNames.length === 0) throw new Error('the serving certificate needs at least one DNS name');
  const [caKey, servingKey] = await Promise.all([generateEcdsaP256Key(), generateEcdsaP256Key()]);
  const caName = new x509.Name([{ CN: ['ferry-ca'] }]);
  const caPublicKey = publicKeyDer(caKey);
  const caCertPem = await sign({
    subject: caName,
    issuer: caName,
    publicKey: caPublicKey,
    signingKey: caKey,
    now,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const certPem = await sign({
    subject: new x509.Name([{ CN: [dnsNames[0]!] }]),
    issuer: caName,
    publicKey: publicKeyDer(servingKey),
    signingKey: caKey,
    now,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caPublicKey),
    ],
  });
  return { caCertPem, certPem, keyPem: privateKeyPem(servingKey) };
}

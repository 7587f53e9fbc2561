/**
 * Workload identity certificates, as Kuma's issuer makes them: a fresh key, an empty subject,
 * the proxy's identity as URI SANs, signed by the mesh CA.
 */
import { randomBytes } from 'node:crypto';
import { compareGoStrings } from '../core/go-compat/sort.js';
import type { KeyPairPem } from './builtin-ca.js';
import { generateEcdsaP256Key, generateRsaKey, privateKeyPem, publicKeyDer, signerFor } from './keys.js';
import { serviceSpiffeId } from './spiffe.js';
import { parseTlsKeyPair } from './tls-key-pair.js';
import { x509 } from './x509.js';

export interface WorkloadCert {
  certPem: string;
  keyPem: string;
  /** As written in the certificate (whole seconds). */
  notBefore: Date;
  notAfter: Date;
}

/** Kuma issues RSA-2048 keys; ECDSA P-256 is far cheaper to generate and equally accepted by Envoy. */
export type WorkloadKeyAlgorithm = 'rsa-2048' | 'ecdsa-p256';

export interface IssueOptions {
  keyAlgorithm?: WorkloadKeyAlgorithm;
}

const SERVICE_TAG = 'kuma.io/service';
const ALLOWED_CLOCK_SKEW_MS = 10_000;
const WORKLOAD_RSA_BITS = 2048;

/**
 * A certificate for the proxy whose identity `tags` (tag → values) describe. SANs:
 * `spiffe://<mesh>/<service>` per `kuma.io/service` value, then `kuma://<tag>/<value>` for every
 * tag and value, all sorted.
 */
export async function issueWorkloadCert(
  ca: KeyPairPem,
  mesh: string,
  tags: Record<string, string[]>,
  validityMs: number,
  now: Date,
  options: IssueOptions = {},
): Promise<WorkloadCert> {
  const pair = parseTlsKeyPair(ca.certPem, ca.keyPem);
  if ('error' in pair) throw new Error(`failed to load CA key pair: failed to parse TLS key pair: ${pair.error}`);
  let uris: string[];
  try {
    uris = workloadUris(mesh, tags);
  } catch (e) {
    throw new Error(`failed to generate X509 certificate template: ${(e as Error).message}`);
  }

  const key = options.keyAlgorithm === 'ecdsa-p256' ? await generateEcdsaP256Key() : await generateRsaKey(WORKLOAD_RSA_BITS);
  const caCert = new x509.X509Certificate(new Uint8Array(pair.chain[0]));
  const caKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const signer = await signerFor(pair.key);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    issuer: caCert.subjectName,
    notBefore: new Date(now.getTime() - ALLOWED_CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + validityMs),
    publicKey: publicKeyDer(key),
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    // order and criticality as Go writes them; SANs are critical because the subject is empty
    extensions: [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...(caKeyId ? [new x509.AuthorityKeyIdentifierExtension(caKeyId)] : []),
      new x509.SubjectAlternativeNameExtension(
        uris.map((value) => ({ type: 'url' as const, value })),
        true,
      ),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: privateKeyPem(key), notBefore: cert.notBefore, notAfter: cert.notAfter };
}

/** Kuma's rule (`Info.ExpiringSoon`): reissue once 4/5 of the lifetime has passed. */
export function needsRotation(cert: { notBefore: Date; notAfter: Date }, now: Date): boolean {
  const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
  return now.getTime() > cert.notBefore.getTime() + (lifetime / 5) * 4;
}

function workloadUris(mesh: string, tags: Record<string, string[]>): string[] {
  const uniqueSorted = (values: string[] | undefined): string[] => [...new Set(values ?? [])].sort(compareGoStrings);
  const uris = uniqueSorted(tags[SERVICE_TAG]).map((service) => serviceSpiffeId(mesh, service));
  for (const tag of Object.keys(tags).sort(compareGoStrings)) {
    for (const value of uniqueSorted(tags[tag])) uris.push(`kuma://${tag}/${value}`);
  }
  return uris;
}

/** A random serial in [1, 2^128 - 1], as Kuma draws it. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  if (bytes.every((b) => b === 0)) bytes[15] = 1;
  return bytes.toString('hex'); // the generator adds the sign octet DER needs
}

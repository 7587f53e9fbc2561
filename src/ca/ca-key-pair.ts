/** Kuma's checks that a certificate and key can act as a mesh CA (`provided` CA plugin), with its messages. */
import { X509Certificate } from 'node:crypto';
import { FieldPath, type Violation } from '../core/validation.js';
import { parseTlsKeyPair } from './tls-key-pair.js';
import { x509 } from './x509.js';

/** Violations under `cert` / `cert[i]`; none means the pair can sign workload certificates. */
export function validateCaKeyPair(certPem: string, keyPem: string): Violation[] {
  const pair = parseTlsKeyPair(certPem, keyPem);
  if ('error' in pair) return [{ field: 'cert', message: `not a valid TLS key pair: ${pair.error}` }];
  const out: Violation[] = [];
  for (let i = 0; i < pair.chain.length; i++) {
    const field = FieldPath.at('cert').index(i).toString();
    let cert: X509Certificate;
    let usages: number;
    try {
      cert = new X509Certificate(pair.chain[i]);
      usages = new x509.X509Certificate(new Uint8Array(pair.chain[i])).getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
    } catch {
      out.push({ field, message: 'not a valid x509 certificate: x509: malformed certificate' });
      return out;
    }
    if (!cert.ca) {
      out.push({ field, message: "basic constraint 'CA' must be set to 'true' (see X509-SVID: 4.1. Basic Constraints)" });
    }
    if ((usages & x509.KeyUsageFlags.keyCertSign) === 0) {
      out.push({ field, message: "key usage extension 'keyCertSign' must be set (see X509-SVID: 4.3. Key Usage)" });
    }
    if ((usages & x509.KeyUsageFlags.keyAgreement) !== 0) {
      out.push({ field, message: "key usage extension 'keyAgreement' must NOT be set (see X509-SVID: Appendix A. X.509 Field Reference)" });
    }
  }
  return out;
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateCaKeyPair } from '../../src/ca/ca-key-pair.js';
import { generateBuiltinCa } from '../../src/ca/builtin-ca.js';
import { x509 } from '../../src/ca/x509.js';
import { selfSigned } from './test-certs.js';

const { keyCertSign, cRLSign, keyAgreement, digitalSignature, keyEncipherment } = x509.KeyUsageFlags;
const NOT_CA = "basic constraint 'CA' must be set to 'true' (see X509-SVID: 4.1. Basic Constraints)";
const NO_CERT_SIGN = "key usage extension 'keyCertSign' must be set (see X509-SVID: 4.3. Key Usage)";
const KEY_AGREEMENT = "key usage extension 'keyAgreement' must NOT be set (see X509-SVID: Appendix A. X.509 Field Reference)";

describe('CA key pair validation (Kuma messages)', () => {
  it('accepts a builtin CA', async () => {
    const ca = await generateBuiltinCa('default', { rsaBits: 1024 }, new Date());
    assert.deepEqual(validateCaKeyPair(ca.certPem, ca.keyPem), []);
  });

  it('accepts an ECDSA CA with PKCS#8 key', async () => {
    const ca = await selfSigned({ ca: true, usages: keyCertSign | cRLSign });
    assert.deepEqual(validateCaKeyPair(ca.certPem, ca.keyPem), []);
  });

  it('rejects empty and plain-text input', () => {
    const expected = [{ field: 'cert', message: 'not a valid TLS key pair: tls: failed to find any PEM data in certificate input' }];
    assert.deepEqual(validateCaKeyPair('', ''), expected);
    assert.deepEqual(validateCaKeyPair('CERT', 'KEY'), expected);
  });

  it('rejects a key of another pair', async () => {
    const a = await selfSigned({ ca: true, usages: keyCertSign });
    const b = await selfSigned({ ca: true, usages: keyCertSign });
    assert.deepEqual(validateCaKeyPair(a.certPem, b.keyPem), [
      { field: 'cert', message: 'not a valid TLS key pair: tls: private key does not match public key' },
    ]);
  });

  it('rejects a key of another type', async () => {
    const ec = await selfSigned({ ca: true, usages: keyCertSign });
    const rsa = await generateBuiltinCa('default', { rsaBits: 1024 }, new Date());
    assert.deepEqual(validateCaKeyPair(ec.certPem, rsa.keyPem), [
      { field: 'cert', message: 'not a valid TLS key pair: tls: private key type does not match public key type' },
    ]);
  });

  it('reports swapped inputs and missing key PEM as Go does', async () => {
    const ca = await selfSigned({ ca: true, usages: keyCertSign });
    assert.deepEqual(validateCaKeyPair(ca.keyPem, ca.certPem), [
      {
        field: 'cert',
        message:
          'not a valid TLS key pair: tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched',
      },
    ]);
    assert.deepEqual(validateCaKeyPair(ca.certPem, ca.certPem), [
      { field: 'cert', message: 'not a valid TLS key pair: tls: found a certificate rather than a key in the PEM for the private key' },
    ]);
    assert.deepEqual(validateCaKeyPair(ca.certPem, ''), [
      { field: 'cert', message: 'not a valid TLS key pair: tls: failed to find any PEM data in key input' },
    ]);
  });

  it('requires the CA basic constraint and keyCertSign', async () => {
    const leaf = await selfSigned();
    assert.deepEqual(validateCaKeyPair(leaf.certPem, leaf.keyPem), [
      { field: 'cert[0]', message: NOT_CA },
      { field: 'cert[0]', message: NO_CERT_SIGN },
    ]);
    const noUsage = await selfSigned({ ca: true });
    assert.deepEqual(validateCaKeyPair(noUsage.certPem, noUsage.keyPem), [{ field: 'cert[0]', message: NO_CERT_SIGN }]);
  });

  it('forbids keyAgreement', async () => {
    const ca = await selfSigned({ ca: true, usages: keyCertSign | cRLSign | keyAgreement });
    assert.deepEqual(validateCaKeyPair(ca.certPem, ca.keyPem), [{ field: 'cert[0]', message: KEY_AGREEMENT }]);
    const all = await selfSigned({ ca: false, usages: digitalSignature | keyAgreement | keyEncipherment });
    assert.deepEqual(validateCaKeyPair(all.certPem, all.keyPem), [
      { field: 'cert[0]', message: NOT_CA },
      { field: 'cert[0]', message: NO_CERT_SIGN },
      { field: 'cert[0]', message: KEY_AGREEMENT },
    ]);
  });

  it('checks every certificate of a chain, by index', async () => {
    const ca = await selfSigned({ ca: true, usages: keyCertSign });
    const leaf = await selfSigned();
    assert.deepEqual(validateCaKeyPair(ca.certPem + leaf.certPem, ca.keyPem), [
      { field: 'cert[1]', message: NOT_CA },
      { field: 'cert[1]', message: NO_CERT_SIGN },
    ]);
  });
});

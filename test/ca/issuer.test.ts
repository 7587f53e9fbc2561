import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { generateBuiltinCa, type KeyPairPem } from '../../src/ca/builtin-ca.js';
import { issueWorkloadCert, needsRotation } from '../../src/ca/issuer.js';
import { x509 } from '../../src/ca/x509.js';
import { selfSigned } from './test-certs.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;

function uris(certPem: string): string[] {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension)!;
  return san.names.toJSON().map((n) => `${n.type}:${n.value}`);
}

describe('workload certificates', () => {
  let ca: KeyPairPem;
  before(async () => {
    ca = await generateBuiltinCa('default', {}, NOW);
  });

  it('carry the identity as URI SANs: spiffe per service, then kuma:// per tag and value, sorted', async () => {
    const tags = {
      version: ['v2', 'v1'],
      'kuma.io/zone': ['zone-1'],
      'kuma.io/service': ['web', 'backend'],
      app: ['backend', 'backend'],
    };
    const cert = await issueWorkloadCert(ca, 'default', tags, DAY_MS, NOW);
    assert.deepEqual(uris(cert.certPem), [
      'url:spiffe://default/backend',
      'url:spiffe://default/web',
      'url:kuma://app/backend',
      'url:kuma://kuma.io/service/backend',
      'url:kuma://kuma.io/service/web',
      'url:kuma://kuma.io/zone/zone-1',
      'url:kuma://version/v1',
      'url:kuma://version/v2',
    ]);
  });

  it('has an empty subject, critical SANs, Kuma key usages, EKU and no CA flag', async () => {
    const cert = await issueWorkloadCert(ca, 'default', { 'kuma.io/service': ['backend'] }, DAY_MS, NOW);
    const parsed = new x509.X509Certificate(cert.certPem);
    assert.equal(parsed.subject, '');
    assert.equal(parsed.issuer, 'O=Kuma, OU=Mesh, CN=default');
    assert.equal(parsed.getExtension(x509.SubjectAlternativeNameExtension)!.critical, true);
    const usages = parsed.getExtension(x509.KeyUsagesExtension)!;
    const { keyEncipherment, keyAgreement, digitalSignature } = x509.KeyUsageFlags;
    assert.equal(usages.usages, keyEncipherment | keyAgreement | digitalSignature);
    assert.equal(usages.critical, true);
    assert.deepEqual([...parsed.getExtension(x509.ExtendedKeyUsageExtension)!.usages], [
      x509.ExtendedKeyUsage.serverAuth,
      x509.ExtendedKeyUsage.clientAuth,
    ]);
    assert.equal(parsed.getExtension(x509.BasicConstraintsExtension)!.ca, false);
    assert.equal(new X509Certificate(cert.certPem).ca, false);
  });

  it('names its authority by the CA key id and verifies against the CA', async () => {
    const cert = await issueWorkloadCert(ca, 'default', { 'kuma.io/service': ['backend'] }, DAY_MS, NOW);
    const aki = new x509.X509Certificate(cert.certPem).getExtension(x509.AuthorityKeyIdentifierExtension)!;
    const ski = new x509.X509Certificate(ca.certPem).getExtension(x509.SubjectKeyIdentifierExtension)!;
    assert.equal(aki.keyId, ski.keyId);
    const caCert = new X509Certificate(ca.certPem);
    const leaf = new X509Certificate(cert.certPem);
    assert.equal(leaf.checkIssued(caCert), true);
    assert.equal(leaf.verify(caCert.publicKey), true);
  });

  it('uses a fresh RSA-2048 key (PKCS#1 PEM) per certificate and a random 128-bit serial', async () => {
    const tags = { 'kuma.io/service': ['backend'] };
    const [a, b] = await Promise.all([issueWorkloadCert(ca, 'default', tags, DAY_MS, NOW), issueWorkloadCert(ca, 'default', tags, DAY_MS, NOW)]);
    for (const c of [a, b]) {
      assert.match(c.keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
      const leaf = new X509Certificate(c.certPem);
      assert.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      assert.equal(leaf.checkPrivateKey(createPrivateKey(c.keyPem)), true);
      const serial = BigInt('0x' + leaf.serialNumber);
      assert.ok(serial > 0n && serial < 1n << 128n);
    }
    assert.notEqual(a.keyPem, b.keyPem);
    assert.notEqual(new X509Certificate(a.certPem).serialNumber, new X509Certificate(b.certPem).serialNumber);
  });

  it('is valid from 10s before now for the given validity, and reports those dates', async () => {
    const cert = await issueWorkloadCert(ca, 'default', { 'kuma.io/service': ['backend'] }, 3 * 3600 * 1000, NOW);
    const leaf = new X509Certificate(cert.certPem);
    assert.equal(new Date(leaf.validFrom).getTime(), NOW.getTime() - 10_000);
    assert.equal(new Date(leaf.validTo).getTime(), NOW.getTime() + 3 * 3600 * 1000);
    assert.equal(cert.notBefore.getTime(), NOW.getTime() - 10_000);
    assert.equal(cert.notAfter.getTime(), NOW.getTime() + 3 * 3600 * 1000);
  });

  it('can use an ECDSA P-256 key instead', async () => {
    const cert = await issueWorkloadCert(ca, 'default', { 'kuma.io/service': ['backend'] }, DAY_MS, NOW, { keyAlgorithm: 'ecdsa-p256' });
    const leaf = new X509Certificate(cert.certPem);
    assert.equal(leaf.publicKey.asymmetricKeyType, 'ec');
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.match(cert.keyPem, /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.equal(leaf.verify(new X509Certificate(ca.certPem).publicKey), true);
  });

  it('signs with an ECDSA CA using the hash Go picks for its curve', async () => {
    const ecCa = await selfSigned({ ca: true, usages: x509.KeyUsageFlags.keyCertSign, curve: 'P-384', subject: 'CN=provided' });
    const cert = await issueWorkloadCert(ecCa, 'default', { 'kuma.io/service': ['backend'] }, DAY_MS, NOW, { keyAlgorithm: 'ecdsa-p256' });
    const parsed = new x509.X509Certificate(cert.certPem);
    assert.deepEqual(parsed.signatureAlgorithm, { name: 'ECDSA', hash: { name: 'SHA-384' } });
    assert.equal(parsed.issuer, 'CN=provided');
    assert.equal(parsed.getExtension(x509.AuthorityKeyIdentifierExtension), null, 'no AKI when the CA has no key id, as Go');
    assert.equal(new X509Certificate(cert.certPem).verify(new X509Certificate(ecCa.certPem).publicKey), true);
  });

  it('rejects service names that are not SPIFFE path segments, and broken CAs', async () => {
    await assert.rejects(issueWorkloadCert(ca, 'default', { 'kuma.io/service': ['a:b'] }, DAY_MS, NOW), {
      message: 'failed to generate X509 certificate template: path segment characters are limited to letters, numbers, dots, dashes, and underscores',
    });
    await assert.rejects(issueWorkloadCert({ certPem: ca.certPem, keyPem: '' }, 'default', { 'kuma.io/service': ['b'] }, DAY_MS, NOW), {
      message: 'failed to load CA key pair: failed to parse TLS key pair: tls: failed to find any PEM data in key input',
    });
  });

  it('takes the signing certificate from the head of a CA chain', async () => {
    const other = await selfSigned({ ca: true, usages: x509.KeyUsageFlags.keyCertSign });
    const cert = await issueWorkloadCert({ certPem: ca.certPem + other.certPem, keyPem: ca.keyPem }, 'default', { 'kuma.io/service': ['b'] }, DAY_MS, NOW);
    assert.equal(new X509Certificate(cert.certPem).verify(new X509Certificate(ca.certPem).publicKey), true);
    assert.equal(cert.certPem.split('-----BEGIN CERTIFICATE-----').length - 1, 1, 'only the leaf is returned');
  });
});

describe('rotation rule', () => {
  const notBefore = new Date('2026-03-01T00:00:00Z');
  const notAfter = new Date('2026-03-06T00:00:00Z'); // five days: rotate after day four

  it('is due only once 4/5 of the lifetime has passed', () => {
    const at = (hours: number) => new Date(notBefore.getTime() + hours * 3600 * 1000);
    assert.equal(needsRotation({ notBefore, notAfter }, at(0)), false);
    assert.equal(needsRotation({ notBefore, notAfter }, at(95)), false);
    assert.equal(needsRotation({ notBefore, notAfter }, at(96)), false, 'exactly at 4/5 is not yet after it');
    assert.equal(needsRotation({ notBefore, notAfter }, new Date(at(96).getTime() + 1)), true);
    assert.equal(needsRotation({ notBefore, notAfter }, at(200)), true, 'expired');
  });

  it('applies to issued certificates', async () => {
    const ca = await generateBuiltinCa('default', { rsaBits: 1024 }, NOW);
    const cert = await issueWorkloadCert(ca, 'default', { 'kuma.io/service': ['b'] }, DAY_MS, NOW, { keyAlgorithm: 'ecdsa-p256' });
    assert.equal(needsRotation(cert, new Date(NOW.getTime() + 19 * 3600 * 1000)), false);
    assert.equal(needsRotation(cert, new Date(NOW.getTime() + 20 * 3600 * 1000)), true);
  });
});

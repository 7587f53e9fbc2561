import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { builtinCaCertForKey, generateBuiltinCa } from '../../src/ca/builtin-ca.js';
import { x509 } from '../../src/ca/x509.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('builtin CA', () => {
  it('is a self-signed RSA-2048 CA for the mesh, valid from 10s ago for ten years', async () => {
    const ca = await generateBuiltinCa('default', {}, NOW);
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.equal(cert.subject, 'O=Kuma\nOU=Mesh\nCN=default');
    assert.equal(cert.issuer, cert.subject);
    assert.equal(cert.subjectAltName, 'URI:spiffe://default');
    assert.equal(cert.verify(cert.publicKey), true, 'self-signed');
    assert.equal(new Date(cert.validFrom).getTime(), NOW.getTime() - 10_000);
    assert.equal(new Date(cert.validTo).getTime(), NOW.getTime() + 10 * 365 * DAY_MS);
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.notEqual(BigInt('0x' + cert.serialNumber), 0n);
  });

  it('writes the key as Kuma does (PKCS#1 PEM) and it belongs to the certificate', async () => {
    const ca = await generateBuiltinCa('default', {}, NOW);
    assert.match(ca.keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.equal(new X509Certificate(ca.certPem).checkPrivateKey(createPrivateKey(ca.keyPem)), true);
  });

  it('has exactly the CA extensions: key usage keyCertSign+cRLSign (critical), CA basic constraint (critical), SKI, SAN', async () => {
    const ca = await generateBuiltinCa('mesh-1', {}, NOW);
    const cert = new x509.X509Certificate(ca.certPem);
    const usages = cert.getExtension(x509.KeyUsagesExtension)!;
    assert.equal(usages.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    assert.equal(usages.critical, true);
    const basic = cert.getExtension(x509.BasicConstraintsExtension)!;
    assert.deepEqual([basic.ca, basic.pathLength, basic.critical], [true, undefined, true]);
    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension)!;
    const expectedSki = await cert.publicKey.getKeyIdentifier();
    assert.equal(ski.keyId, Buffer.from(expectedSki).toString('hex'));
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
    assert.deepEqual(san.names.toJSON(), [{ type: 'url', value: 'spiffe://mesh-1' }]);
    assert.equal(san.critical, false);
    assert.deepEqual(
      [...cert.extensions].map((e) => e.type),
      ['2.5.29.15', '2.5.29.19', '2.5.29.14', '2.5.29.17'],
    );
  });

  it('honours caCert.RSAbits and caCert.expiration', async () => {
    const ca = await generateBuiltinCa('default', { rsaBits: 1024, expiration: '30d' }, NOW);
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 1024);
    assert.equal(new Date(cert.validTo).getTime(), NOW.getTime() + 30 * DAY_MS);
  });

  it('uses Kuma duration units for the expiration (1y = 365 days)', async () => {
    const ca = await generateBuiltinCa('default', { rsaBits: 1024, expiration: '1y' }, NOW);
    assert.equal(new Date(new X509Certificate(ca.certPem).validTo).getTime(), NOW.getTime() + 365 * DAY_MS);
  });

  it('rejects an invalid expiration with Kuma message', async () => {
    await assert.rejects(generateBuiltinCa('default', { expiration: '10 years' }, NOW), {
      message: 'not a valid duration string: "10 years"',
    });
  });

  it('rejects a mesh name that is not a SPIFFE trust domain', async () => {
    await assert.rejects(generateBuiltinCa('Default', {}, NOW), /trust domain characters are limited/);
  });

  it('can re-create the certificate for a stored key', async () => {
    const ca = await generateBuiltinCa('default', { rsaBits: 1024 }, NOW);
    const later = new Date(NOW.getTime() + DAY_MS);
    const certPem = await builtinCaCertForKey('default', ca.keyPem, { expiration: '2y' }, later);
    const cert = new X509Certificate(certPem);
    assert.equal(cert.checkPrivateKey(createPrivateKey(ca.keyPem)), true);
    assert.equal(cert.subject, 'O=Kuma\nOU=Mesh\nCN=default');
    assert.equal(new Date(cert.validTo).getTime(), later.getTime() + 2 * 365 * DAY_MS);
  });
});

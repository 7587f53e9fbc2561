/** The SDS secrets behind the names the TLS contexts refer to. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary, toBinary, toJson } from '@bufbuild/protobuf';
import { SecretSchema } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { envoyRegistry } from '../../../src/envoy/type-registry.js';
import { checkMessage } from '../../../src/envoy/validate-rules.js';
import { identitySecretName, meshCaSecretName } from '../../../src/xds/generate/secret-names.js';
import { generateSecrets } from '../../../src/xds/generate/secrets.js';
import { generateEnvoyConfig } from '../../../src/xds/generate/index.js';
import { BUILTIN_MTLS, dataplane, endpointDataplane, mesh, proxyOf, renderConfig } from './fixtures.js';

const identity = {
  certPem: '-----BEGIN CERTIFICATE-----\nMIIBidentity\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN RSA PRIVATE KEY-----\nMIIEkey\n-----END RSA PRIVATE KEY-----\n',
};
const caPem = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('secret names', () => {
  it("are Kuma's legacy SDS names", () => {
    assert.equal(identitySecretName('default'), 'identity_cert:secret:default');
    assert.equal(meshCaSecretName('mesh-1'), 'mesh_ca:secret:mesh-1');
  });

  it('are the names every generated TLS context refers to', () => {
    const web = dataplane('web', {
      networking: { address: '10.0.0.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'web' } }], outbound: [{ port: 9000, tags: { 'kuma.io/service': 'db' } }] },
    });
    const snapshot = { mesh: mesh('default', { mtls: BUILTIN_MTLS }), dataplanes: [web, endpointDataplane('db-1', '10.0.0.2', 5432, { 'kuma.io/service': 'db' })] };
    const out = renderConfig(generateEnvoyConfig(snapshot, proxyOf(web)));
    const json = JSON.stringify([...out.listeners.values(), ...out.clusters.values()]);
    // One inbound and one cluster, each naming both secrets.
    const referenced = [...json.matchAll(/"name":"([a-z_]+:secret:[^"]+)"/g)].map((m) => m[1]);
    assert.equal(referenced.length, 4);
    assert.deepEqual([...new Set(referenced)].sort(), generateSecrets('default', identity, caPem).map((s) => s.name).sort());
  });
});

describe('generateSecrets', () => {
  const secrets = generateSecrets('default', identity, caPem);
  const json = secrets.map((s) => toJson(SecretSchema, s, { registry: envoyRegistry }));

  it('gives the identity (certificate chain and key inline) and then the mesh CA (trusted CA inline)', () => {
    assert.deepEqual(json, [
      {
        name: 'identity_cert:secret:default',
        tlsCertificate: { certificateChain: { inlineBytes: base64(identity.certPem) }, privateKey: { inlineBytes: base64(identity.keyPem) } },
      },
      { name: 'mesh_ca:secret:default', validationContext: { trustedCa: { inlineBytes: base64(caPem) } } },
    ]);
  });

  it('uses the mesh in both names', () => {
    assert.deepEqual(generateSecrets('payments', identity, caPem).map((s) => s.name), ['identity_cert:secret:payments', 'mesh_ca:secret:payments']);
  });

  it('keeps the PEM bytes exactly through the wire encoding', () => {
    const decoded = fromBinary(SecretSchema, toBinary(SecretSchema, secrets[0]));
    assert.equal(decoded.type.case, 'tlsCertificate');
    const cert = decoded.type.value!;
    assert.equal(Buffer.from(cert.certificateChain!.specifier.value as Uint8Array).toString('utf8'), identity.certPem);
    assert.equal(Buffer.from(cert.privateKey!.specifier.value as Uint8Array).toString('utf8'), identity.keyPem);
  });

  it('passes validate.rules', () => {
    for (const secret of secrets) assert.deepEqual(checkMessage(SecretSchema, secret), [], secret.name);
  });

  it('is pure: equal input gives equal bytes', () => {
    const again = generateSecrets('default', identity, caPem);
    assert.deepEqual(again.map((s) => toBinary(SecretSchema, s)), secrets.map((s) => toBinary(SecretSchema, s)));
  });
});

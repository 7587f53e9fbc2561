/**
 * Issue "done means" for mesh mTLS: the gateway gets its own SPIFFE identity over SDS, its backend
 * cluster verifies the backend's, the backend's inbound demands client certificates, and a
 * MeshTrafficPermission that denies the gateway makes the backend's RBAC reject it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import { SecretSchema } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { ClusterSchema } from '../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ListenerSchema } from '../../gen/envoy/config/listener/v3/listener_pb.js';
import { RBACSchema as NetworkRbacSchema } from '../../gen/envoy/extensions/filters/network/rbac/v3/rbac_pb.js';
import { RBACSchema as HttpRbacSchema } from '../../gen/envoy/extensions/filters/http/rbac/v3/rbac_pb.js';
import { HttpConnectionManagerSchema } from '../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { envoyRegistry } from '../../src/envoy/type-registry.js';
import { TYPE_URL } from '../../src/xds/resources.js';
import { openSotw, type SotwClient } from '../helpers/xds-clients.js';
import { putResource, runCtl, startCpWithKnownCert, type RunningCp } from '../helpers/processes.js';
import { rbacAllows } from '../helpers/rbac-eval.js';

const kong = {
  type: 'Dataplane',
  mesh: 'default',
  name: 'kong-01',
  networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'kong' } }, outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] },
};
const backend = {
  type: 'Dataplane',
  mesh: 'default',
  name: 'backend-1',
  networking: { address: '192.168.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] },
};

async function fetchType(client: SotwClient, typeUrl: string, resourceNames: string[] = []) {
  client.request({ typeUrl, resourceNames });
  const res = await client.next(5000);
  client.ack(res);
  return res;
}

/** The RBAC config on the backend's inbound listener, whichever filter carries it. */
function inboundRbac(listenerBytes: Uint8Array) {
  const listener = fromBinary(ListenerSchema, listenerBytes);
  for (const chain of listener.filterChains) {
    for (const f of chain.filters) {
      if (f.configType.case !== 'typedConfig') continue;
      const msg = anyUnpack(f.configType.value, envoyRegistry);
      if (msg?.$typeName === NetworkRbacSchema.typeName) return (msg as unknown as { rules?: unknown }).rules;
      if (msg?.$typeName === HttpConnectionManagerSchema.typeName) {
        for (const hf of (msg as unknown as { httpFilters: { configType: { case?: string; value?: unknown } }[] }).httpFilters) {
          if (hf.configType.case !== 'typedConfig') continue;
          const inner = anyUnpack(hf.configType.value as never, envoyRegistry);
          if (inner?.$typeName === HttpRbacSchema.typeName) return (inner as unknown as { rules?: unknown }).rules;
        }
      }
    }
  }
  return undefined;
}

describe('mesh mTLS end to end', () => {
  let cp: RunningCp;
  let ca: string;
  let cleanup: () => Promise<void>;
  const put = (path: string, body: unknown) => putResource(cp, path, body);

  before(async () => {
    ({ cp, ca, cleanup } = await startCpWithKnownCert());
    await put('/meshes/default', { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } });
    await put('/meshes/default/dataplanes/backend-1', backend);
    await put('/meshes/default/dataplanes/kong-01', kong);
  });
  after(() => cleanup());

  it('stores the builtin CA as Kuma names it', async () => {
    const res = await fetch(`${cp.apiUrl}/meshes/default/secrets/default.ca-builtin-cert-ca-1`);
    assert.equal(res.status, 200);
    const pem = Buffer.from((await res.json()).data, 'base64').toString();
    const caCert = new X509Certificate(pem);
    assert.equal(caCert.ca, true);
    assert.match(caCert.subjectAltName ?? '', /URI:spiffe:\/\/default/);
  });

  it('the gateway gets spiffe://default/kong over SDS and its backend cluster verifies spiffe://default/backend', async () => {
    const client = openSotw(cp.dpUrl, 'default.kong-01', { ca });
    try {
      const cds = await fetchType(client, TYPE_URL.Cluster);
      const cluster = cds.resources.map((r) => fromBinary(ClusterSchema, r.value)).find((c) => c.name === 'backend');
      assert.ok(cluster);
      const json = JSON.stringify(toJson(ClusterSchema, cluster, { registry: envoyRegistry }));
      assert.match(json, /spiffe:\/\/default\/backend/);
      assert.match(json, /identity_cert:secret:default/);
      assert.doesNotMatch(json, /PRIVATE KEY/);

      const sds = await fetchType(client, TYPE_URL.Secret, ['identity_cert:secret:default', 'mesh_ca:secret:default']);
      const secrets = sds.resources.map((r) => fromBinary(SecretSchema, r.value));
      const identity = secrets.find((s) => s.name === 'identity_cert:secret:default');
      assert.ok(identity && identity.type.case === 'tlsCertificate');
      const chain = identity.type.value.certificateChain?.specifier;
      assert.ok(chain && chain.case === 'inlineBytes');
      const leaf = new X509Certificate(Buffer.from(chain.value));
      assert.match(leaf.subjectAltName ?? '', /URI:spiffe:\/\/default\/kong/);
      assert.ok(secrets.some((s) => s.name === 'mesh_ca:secret:default'));
    } finally {
      await client.close();
    }
  });

  it("the backend's inbound listener demands client certificates", async () => {
    const client = openSotw(cp.dpUrl, 'default.backend-1', { ca });
    try {
      const lds = await fetchType(client, TYPE_URL.Listener);
      const inbound = lds.resources.map((r) => fromBinary(ListenerSchema, r.value)).find((l) => l.name === 'inbound:192.168.0.1:8080');
      assert.ok(inbound);
      const json = JSON.stringify(toJson(ListenerSchema, inbound, { registry: envoyRegistry }));
      assert.match(json, /"requireClientCertificate":true/);
    } finally {
      await client.close();
    }
  });

  it('a MeshTrafficPermission that denies kong makes the backend reject it', async () => {
    await put('/meshes/default/meshtrafficpermissions/deny-kong', {
      type: 'MeshTrafficPermission',
      mesh: 'default',
      name: 'deny-kong',
      spec: { targetRef: { kind: 'MeshService', name: 'backend' }, from: [{ targetRef: { kind: 'MeshService', name: 'kong' }, default: { action: 'Deny' } }] },
    });
    const client = openSotw(cp.dpUrl, 'default.backend-1', { ca });
    try {
      const lds = await fetchType(client, TYPE_URL.Listener);
      const inbound = lds.resources.find((r) => fromBinary(ListenerSchema, r.value).name === 'inbound:192.168.0.1:8080');
      assert.ok(inbound);
      const rules = inboundRbac(inbound.value);
      assert.ok(rules, 'the inbound carries RBAC');
      assert.equal(rbacAllows(rules as never, ['spiffe://default/kong', 'kuma://kuma.io/service/kong']), false);
      assert.equal(rbacAllows(rules as never, ['spiffe://default/web', 'kuma://kuma.io/service/web']), true, 'others are still allowed by the default policy');
    } finally {
      await client.close();
    }
  });

  it('ferryctl inspect dataplane --type policies shows which permissions apply', async () => {
    const res = await runCtl(['--api-server', cp.apiUrl, 'inspect', 'dataplane', 'backend-1', '--type', 'policies']);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.inbounds.length, 1);
    assert.equal(out.inbounds[0].inbound, '192.168.0.1:8080');
    assert.deepEqual([...out.inbounds[0].policies].sort(), ['allow-all-default', 'deny-kong']);
    assert.ok(out.inbounds[0].rules.some((r: { from: string; action: string }) => r.from === 'kuma.io/service=kong' && r.action === 'Deny'));
    const gw = await runCtl(['--api-server', cp.apiUrl, 'inspect', 'dataplane', 'kong-01', '--type', 'policies']);
    assert.deepEqual(JSON.parse(gw.stdout).inbounds, [], 'a delegated gateway has no inbound to permit');
  });

  it("the gateway's insight records its certificate", async () => {
    let mtls: { issuedBackend?: string; certificateExpirationTime?: string } | undefined;
    for (let i = 0; i < 50 && !mtls?.issuedBackend; i++) {
      const overview = await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/kong-01/_overview`)).json();
      mtls = overview.dataplaneInsight?.mTLS;
      if (!mtls?.issuedBackend) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(mtls?.issuedBackend, 'ca-1');
    assert.ok(Date.parse(mtls?.certificateExpirationTime ?? '') > Date.now());
  });

  it('private keys never appear in the config dump', async () => {
    const dump = await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/kong-01/xds`)).text();
    assert.doesNotMatch(dump, /PRIVATE KEY/);
    assert.doesNotMatch(cp.logs(), /PRIVATE KEY/);
  });
});

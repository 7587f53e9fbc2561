/**
 * PERMISSIVE mTLS: inbounds accept plaintext and TLS; a client switches to mTLS for a service
 * only once every proxy of that service holds a certificate from the enabled backend.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import { ClusterSchema } from '../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ListenerSchema } from '../../gen/envoy/config/listener/v3/listener_pb.js';
import { envoyRegistry } from '../../src/envoy/type-registry.js';
import { TYPE_URL } from '../../src/xds/resources.js';
import { openSotw, type SotwClient } from '../helpers/xds-clients.js';
import { startCp, type RunningCp } from '../helpers/processes.js';

describe('PERMISSIVE mesh mTLS', () => {
  let cp: RunningCp;
  const put = async (path: string, body: unknown) => {
    const res = await fetch(cp.apiUrl + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.status < 300, await res.text());
  };

  before(async () => {
    cp = await startCp({ FERRY_DP_SERVER_TLS_ENABLED: 'false' });
    await put('/meshes/default', {
      type: 'Mesh',
      name: 'default',
      mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin', mode: 'PERMISSIVE' }] },
    });
    await put('/meshes/default/dataplanes/backend-1', {
      type: 'Dataplane',
      mesh: 'default',
      name: 'backend-1',
      networking: { address: '192.168.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'tcp' } }] },
    });
    await put('/meshes/default/dataplanes/kong-01', {
      type: 'Dataplane',
      mesh: 'default',
      name: 'kong-01',
      networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'kong' } }, outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] },
    });
  });
  after(() => cp.stop());

  const backendCluster = (res: { resources: { value: Uint8Array }[] }) =>
    res.resources.map((r) => fromBinary(ClusterSchema, r.value)).find((c) => c.name === 'backend')!;

  it('the gateway dials backend in plaintext until backend has its certificate, then over mTLS', async () => {
    const gateway: SotwClient = openSotw(cp.dpUrl, 'default.kong-01');
    try {
      gateway.request({ typeUrl: TYPE_URL.Cluster });
      const before = await gateway.next();
      gateway.ack(before);
      assert.equal(backendCluster(before).transportSocket, undefined, 'no proxy of backend has a certificate yet');

      const backend = openSotw(cp.dpUrl, 'default.backend-1');
      try {
        backend.request({ typeUrl: TYPE_URL.Listener });
        const lds = await backend.next();
        backend.ack(lds);
        const inbound = lds.resources.map((r) => fromBinary(ListenerSchema, r.value)).find((l) => l.name === 'inbound:192.168.0.1:8080')!;
        assert.equal(inbound.filterChains.length, 3, 'raw_buffer, plain tls and mTLS chains');
        assert.match(JSON.stringify(toJson(ListenerSchema, inbound, { registry: envoyRegistry })), /envoy\.filters\.listener\.tls_inspector/);

        const after = await gateway.next(5000);
        assert.equal(after.typeUrl, TYPE_URL.Cluster);
        const tls = backendCluster(after).transportSocket;
        assert.ok(tls, 'backend is now ready for mTLS');
        assert.match(JSON.stringify(toJson(ClusterSchema, backendCluster(after), { registry: envoyRegistry })), /spiffe:\/\/default\/backend/);
        gateway.ack(after);
      } finally {
        await backend.close();
      }
    } finally {
      await gateway.close();
    }
  });
});

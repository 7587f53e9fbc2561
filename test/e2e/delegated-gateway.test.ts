/**
 * The headline case: a delegated gateway's sidecar, asking as `default.kong-01` with our own
 * independent SotW and Delta clients over TLS, gets its outbounds and no inbound.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import { ListenerSchema } from '../../gen/envoy/config/listener/v3/listener_pb.js';
import { ClusterSchema } from '../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ClusterLoadAssignmentSchema } from '../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { TYPE_URL } from '../../src/xds/resources.js';
import { openDelta, openSotw } from '../helpers/xds-clients.js';
import { putResource, runCtl, startCpWithKnownCert, type RunningCp } from '../helpers/processes.js';

const gateway = {
  type: 'Dataplane',
  mesh: 'default',
  name: 'kong-01',
  networking: {
    address: '10.0.0.1',
    gateway: { type: 'DELEGATED', tags: { 'kuma.io/service': 'kong' } },
    outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }],
  },
};

const backend = (name: string, address: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address, inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] },
});

function endpointsOf(resources: Any[]): string[] {
  return resources
    .map((r) => fromBinary(ClusterLoadAssignmentSchema, r.value))
    .flatMap((cla) => cla.endpoints.flatMap((l) => l.lbEndpoints))
    .map((e) => {
      const sa = e.hostIdentifier.case === 'endpoint' ? e.hostIdentifier.value.address?.address : undefined;
      return sa?.case === 'socketAddress' ? `${sa.value.address}:${sa.value.portSpecifier.value}` : '?';
    })
    .sort();
}

describe('delegated gateway over xDS', () => {
  let cp: RunningCp;
  let ca: string;
  let cleanup: () => Promise<void>;
  const put = (path: string, body: unknown) => putResource(cp, path, body);

  before(async () => {
    ({ cp, ca, cleanup } = await startCpWithKnownCert());
    await put('/meshes/default/dataplanes/backend-1', backend('backend-1', '192.168.0.1'));
    await put('/meshes/default/dataplanes/kong-01', gateway);
  });
  after(() => cleanup());

  it('SotW: outbound listener, EDS cluster with the backends, no inbound; a new backend arrives within 1 s', async () => {
    const client = openSotw(cp.dpUrl, 'default.kong-01', { ca });
    try {
      client.request({ typeUrl: TYPE_URL.Cluster });
      const cds = await client.next();
      client.ack(cds);
      const clusters = cds.resources.map((r) => fromBinary(ClusterSchema, r.value));
      const backendCluster = clusters.find((c) => c.name === 'backend');
      assert.ok(backendCluster, `clusters: ${clusters.map((c) => c.name)}`);
      assert.equal(backendCluster.clusterDiscoveryType.case, 'type');
      assert.equal(backendCluster.clusterDiscoveryType.value, 3 /* EDS */);

      client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNames: ['backend'] });
      const eds = await client.next();
      client.ack(eds);
      assert.deepEqual(endpointsOf(eds.resources), ['192.168.0.1:8080']);

      client.request({ typeUrl: TYPE_URL.Listener });
      const lds = await client.next();
      client.ack(lds);
      const names = lds.resources.map((r) => fromBinary(ListenerSchema, r.value).name);
      assert.ok(names.includes('outbound:127.0.0.1:10001'), `listeners: ${names}`);
      assert.deepEqual(names.filter((n) => n.startsWith('inbound:')), []);

      const started = Date.now();
      await put('/meshes/default/dataplanes/backend-2', backend('backend-2', '192.168.0.2'));
      const update = await client.next(1000);
      assert.equal(update.typeUrl, TYPE_URL.ClusterLoadAssignment);
      assert.deepEqual(endpointsOf(update.resources), ['192.168.0.1:8080', '192.168.0.2:8080']);
      assert.ok(Date.now() - started < 1000);
      client.ack(update);

      // the gateway shows as Online while connected
      const overview = await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/_overview?gateway=delegated`)).json();
      const subs = overview.items[0].dataplaneInsight.subscriptions;
      assert.ok(!subs[subs.length - 1].disconnectTime);
      const table = await runCtl(['--api-server', cp.apiUrl, 'inspect', 'dataplanes', '--gateway']);
      assert.match(table.stdout, /kong-01\s+kuma\.io\/service=kong kuma\.io\/zone=default\s+Online/);
    } finally {
      await client.close();
    }
  });

  it('Delta: the same resources, then only what changed', async () => {
    const client = openDelta(cp.dpUrl, 'default.kong-01', { ca });
    try {
      client.request({ typeUrl: TYPE_URL.Listener, resourceNamesSubscribe: ['*'] });
      const lds = await client.next();
      client.ack(lds);
      const names = lds.resources.map((r) => r.name);
      assert.ok(names.includes('outbound:127.0.0.1:10001'));
      assert.ok(!names.some((n) => n.startsWith('inbound:')));

      client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNamesSubscribe: ['backend'] });
      const eds = await client.next();
      client.ack(eds);
      assert.deepEqual(endpointsOf(eds.resources.map((r) => r.resource!)), ['192.168.0.1:8080', '192.168.0.2:8080']);

      await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-1`, { method: 'DELETE' });
      const update = await client.next(1000);
      assert.equal(update.typeUrl, TYPE_URL.ClusterLoadAssignment);
      assert.deepEqual(update.resources.map((r) => r.name), ['backend']);
      assert.deepEqual(endpointsOf(update.resources.map((r) => r.resource!)), ['192.168.0.2:8080']);
      client.ack(update);
      // the listener did not change, so nothing else arrives
      await client.expectNone(300);
    } finally {
      await client.close();
    }
  });

  it('the config dump endpoint and ferryctl show the same configuration', async () => {
    const dump = await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/kong-01/xds`)).json();
    const listeners = dump.configs[0].dynamicListeners.map((l: { name: string }) => l.name);
    assert.ok(listeners.includes('outbound:127.0.0.1:10001'));
    assert.ok(!listeners.some((n: string) => n.startsWith('inbound:')));
    const clusters = dump.configs[1].dynamicActiveClusters.map((c: { cluster: { name: string } }) => c.cluster.name);
    assert.ok(clusters.includes('backend'));
    const res = await runCtl(['--api-server', cp.apiUrl, 'inspect', 'dataplane', 'kong-01', '--type', 'config']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout).configs[0].dynamicListeners.map((l: { name: string }) => l.name), listeners);
  });

  it('after the stream ends the gateway is Offline', async () => {
    const overview = await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/kong-01/_overview`)).json();
    const subs = overview.dataplaneInsight.subscriptions;
    assert.ok(subs.length >= 2);
    assert.ok(subs.every((s: { disconnectTime?: string }) => s.disconnectTime), JSON.stringify(subs));
    const counts = subs[0].status;
    assert.ok(Number(counts.total.responsesSent) >= 3);
    assert.ok(Number(counts.eds.responsesAcknowledged) >= 2);
  });

  it('refuses a proxy whose Dataplane does not exist', async () => {
    const client = openSotw(cp.dpUrl, 'default.ghost', { ca });
    client.request({ typeUrl: TYPE_URL.Cluster });
    const err = await client.ended;
    assert.match(String(err?.message), /Dataplane "ghost" not found/);
    await client.close();
  });
});

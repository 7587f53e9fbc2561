/** Kubernetes ClusterIP outbounds: computed per mesh, served next to the VIP outbounds of transparent proxies. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { NodeSchema } from '../../../gen/envoy/config/core/v3/base_pb.js';
import { TYPE_URL } from '../../../src/xds/resources.js';
import type { Resource } from '../../../src/core/resource.js';
import { clusterIpOutbounds, kubeServiceView, type KubeServiceView } from '../../../src/k8s/cluster-ip-outbounds.js';
import { buildMeshState, type PlatformOutbounds } from '../../../src/xds/mesh-state.js';
import { generateEnvoyConfig, type EnvoyConfig, type MeshSnapshot } from '../../../src/xds/generate/index.js';
import { BUILTIN_MTLS, dataplane, endpointDataplane, mesh, proxyOf, renderConfig } from './fixtures.js';
import { testControllerBase } from '../../helpers/xds-controller.js';
import { configViolations } from './config-violations.js';

const TP = { redirectPortOutbound: 15001, redirectPortInbound: 15006 };
const BACKEND = 'backend_kuma-demo_svc_8080';
const DB = 'db_kuma-demo_svc_5432';
const WEB = 'web_kuma-demo_svc_80';

const peers = [
  endpointDataplane('backend-1.kuma-demo', '10.244.0.5', 8080, { 'kuma.io/service': BACKEND, 'kuma.io/protocol': 'http' }),
  endpointDataplane('backend-2.kuma-demo', '10.244.0.8', 8080, { 'kuma.io/service': BACKEND, 'kuma.io/protocol': 'http' }),
  endpointDataplane('db-0.kuma-demo', '10.244.0.6', 5432, { 'kuma.io/service': DB, 'kuma.io/instance': 'db-0', 'kuma.io/protocol': 'tcp' }),
  endpointDataplane('db-1.kuma-demo', '10.244.0.7', 5432, { 'kuma.io/service': DB, 'kuma.io/instance': 'db-1', 'kuma.io/protocol': 'tcp' }),
  endpointDataplane('web-1.kuma-demo', '10.244.0.10', 8080, { 'kuma.io/service': WEB }),
  // service-less, no Service, ExternalName, and not Kubernetes-shaped: no outbound
  endpointDataplane('job-1.kuma-demo', '10.244.0.11', 49151, { 'kuma.io/service': 'job_kuma-demo_svc' }),
  endpointDataplane('gone-1.kuma-demo', '10.244.0.12', 8080, { 'kuma.io/service': 'gone_kuma-demo_svc_8080' }),
  endpointDataplane('ext-1.kuma-demo', '10.244.0.13', 8080, { 'kuma.io/service': 'ext_kuma-demo_svc_8080' }),
  endpointDataplane('plain-1.kuma-demo', '10.244.0.14', 8080, { 'kuma.io/service': 'plain' }),
];

const views = (
  [
    { metadata: { name: 'backend', namespace: 'kuma-demo' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10' } },
    { metadata: { name: 'db', namespace: 'kuma-demo' }, spec: { clusterIP: 'None' } },
    { metadata: { name: 'web', namespace: 'kuma-demo' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.20' } },
    { metadata: { name: 'ext', namespace: 'kuma-demo' }, spec: { type: 'ExternalName' } },
    // same name in another namespace must not be picked
    { metadata: { name: 'gone', namespace: 'other' }, spec: { clusterIP: '10.96.0.99' } },
  ] as const
).map((s) => kubeServiceView(s)!) satisfies KubeServiceView[];

function gateway(transparentProxying: Record<string, unknown> = TP): Resource {
  return dataplane('kong-1.kong', {
    networking: { address: '10.244.0.9', gateway: { type: 'DELEGATED', tags: { 'kuma.io/service': 'kong_kong_svc_80' } }, transparentProxying },
  });
}

function snapshotFor(proxy: Resource, extra: Partial<MeshSnapshot> = {}): MeshSnapshot {
  const dataplanes = [proxy, ...peers];
  return { mesh: mesh('default'), dataplanes, platformOutbounds: clusterIpOutbounds(dataplanes, views), ...extra };
}

const listenerNames = (config: EnvoyConfig) => config.listeners.map((l) => l.name);
const outboundNames = (config: EnvoyConfig) => listenerNames(config).filter((n) => n.startsWith('outbound:') && !n.includes('passthrough'));


describe('clusterIpOutbounds', () => {
  it('one outbound per mesh Service on ClusterIP:port, one per endpoint for headless Services', () => {
    assert.deepEqual(clusterIpOutbounds([gateway(), ...peers], views), [
      { address: '10.96.0.10', port: 8080, tags: { 'kuma.io/service': BACKEND } },
      { address: '10.244.0.6', port: 5432, tags: { 'kuma.io/service': DB, 'kuma.io/instance': 'db-0' } },
      { address: '10.244.0.7', port: 5432, tags: { 'kuma.io/service': DB, 'kuma.io/instance': 'db-1' } },
      { address: '10.96.0.20', port: 80, tags: { 'kuma.io/service': WEB } },
    ]);
  });

  it('needs the Service: none without it, and Ignored inbounds are no endpoints', () => {
    assert.deepEqual(clusterIpOutbounds(peers, []), []);
    const ignored = endpointDataplane('db-2.kuma-demo', '10.244.0.15', 5432, { 'kuma.io/service': DB, 'kuma.io/instance': 'db-2' }, { state: 'Ignored' });
    const addresses = clusterIpOutbounds([...peers, ignored], views).map((o) => o.address);
    assert.ok(!addresses.includes('10.244.0.15'));
  });

  it('reads the view of a Service object', () => {
    assert.deepEqual(kubeServiceView({ metadata: { name: 'db', namespace: 'ns' }, spec: { clusterIP: 'None' } }), {
      name: 'db',
      namespace: 'ns',
      clusterIP: 'None',
      type: undefined,
      headless: true,
    });
    assert.equal(kubeServiceView({ metadata: { name: 'x' } }), undefined);
  });
});

describe('ClusterIP outbounds in generation', () => {
  it('a delegated gateway gets outbound:<ClusterIP>:<port> routed to the service cluster, with its endpoints', () => {
    const gw = gateway();
    const config = generateEnvoyConfig(snapshotFor(gw), proxyOf(gw));
    const out = renderConfig(config);
    const listener = out.listeners.get('outbound:10.96.0.10:8080');
    assert.ok(listener, 'outbound:10.96.0.10:8080');
    assert.deepEqual(listener.address, { socketAddress: { address: '10.96.0.10', portValue: 8080 } });
    assert.equal(listener.bindToPort, false);
    const hcm = listener.filterChains[0].filters[0];
    assert.equal(hcm.name, 'envoy.filters.network.http_connection_manager');
    assert.equal(hcm.typedConfig.routeConfig.virtualHosts[0].routes[0].route.cluster, BACKEND);
    assert.ok(out.clusters.has(BACKEND));
    assert.deepEqual(
      out.endpoints.get(BACKEND).endpoints[0].lbEndpoints.map((e: any) => e.endpoint.address.socketAddress),
      [
        { address: '10.244.0.5', portValue: 8080 },
        { address: '10.244.0.8', portValue: 8080 },
      ],
    );
    const web = out.listeners.get('outbound:10.96.0.20:80');
    assert.equal(web.filterChains[0].filters[0].name, 'envoy.filters.network.tcp_proxy');
    assert.equal(web.filterChains[0].filters[0].typedConfig.cluster, WEB);
    assert.deepEqual(configViolations(config), []);
  });

  it('comes on top of the VIP outbounds', () => {
    const gw = gateway();
    const vips = new Map([[BACKEND, '240.0.0.1']]);
    const config = generateEnvoyConfig(snapshotFor(gw, { vips }), proxyOf(gw));
    const names = outboundNames(config);
    assert.ok(names.includes('outbound:240.0.0.1:80'));
    assert.ok(names.includes('outbound:240.0.0.1:8080'));
    assert.ok(names.includes('outbound:10.96.0.10:8080'));
    // both listeners send to the one cluster
    assert.equal(config.clusters.filter((c) => c.name === BACKEND).length, 1);
  });

  it('a headless Service gets a listener per endpoint, each to a cluster of that instance only', () => {
    const gw = gateway();
    const out = renderConfig(generateEnvoyConfig(snapshotFor(gw), proxyOf(gw)));
    for (const [address, instance] of [
      ['10.244.0.6', 'db-0'],
      ['10.244.0.7', 'db-1'],
    ] as const) {
      const listener = out.listeners.get(`outbound:${address}:5432`);
      assert.ok(listener, `outbound:${address}:5432`);
      assert.deepEqual(listener.metadata.filterMetadata['io.kuma.tags'], { 'kuma.io/service': DB, 'kuma.io/instance': instance });
      const cluster = listener.filterChains[0].filters[0].typedConfig.cluster as string;
      assert.ok(cluster.startsWith(`${DB}-`), cluster);
      assert.deepEqual(
        out.endpoints.get(cluster).endpoints[0].lbEndpoints.map((e: any) => e.endpoint.address.socketAddress.address),
        [address],
      );
    }
  });

  it('reachableServices narrows them by kuma.io/service', () => {
    const gw = gateway({ ...TP, reachableServices: [DB] });
    const config = generateEnvoyConfig(snapshotFor(gw), proxyOf(gw));
    assert.deepEqual(outboundNames(config), ['outbound:10.244.0.6:5432', 'outbound:10.244.0.7:5432']);
  });

  it('an outbound on one of the proxy own inbounds is left out', () => {
    // db-0 itself, transparently proxied: its own headless endpoint would clash with its inbound
    const db0 = dataplane('db-0.kuma-demo', {
      networking: { address: '10.244.0.6', inbound: [{ port: 5432, tags: { 'kuma.io/service': DB, 'kuma.io/instance': 'db-0' } }], transparentProxying: TP },
    });
    const dataplanes = [db0, ...peers.filter((p) => p.meta.name !== 'db-0.kuma-demo')];
    const snapshot: MeshSnapshot = { mesh: mesh('default'), dataplanes, platformOutbounds: clusterIpOutbounds(dataplanes, views) };
    assert.ok(snapshot.platformOutbounds!.some((o) => o.address === '10.244.0.6'));
    const names = outboundNames(generateEnvoyConfig(snapshot, proxyOf(db0)));
    assert.ok(!names.includes('outbound:10.244.0.6:5432'));
    assert.ok(names.includes('outbound:10.244.0.7:5432'));
  });

  it('a proxy without a transparent proxy keeps its spec outbounds only', () => {
    const plain = dataplane('client-1.kuma-demo', { networking: { address: '10.244.0.20', outbound: [{ port: 18080, tags: { 'kuma.io/service': BACKEND } }] } });
    assert.deepEqual(outboundNames(generateEnvoyConfig(snapshotFor(plain), proxyOf(plain))), ['outbound:127.0.0.1:18080']);
  });

  it('every resource of a sidecar in an mTLS mesh with ClusterIP and VIP outbounds passes validate.rules', () => {
    const sidecar = dataplane('client-1.kuma-demo', {
      networking: { address: '10.244.0.20', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'client_kuma-demo_svc_8080' } }], transparentProxying: TP },
    });
    const config = generateEnvoyConfig(
      snapshotFor(sidecar, { mesh: mesh('default', { mtls: BUILTIN_MTLS }), vips: new Map([[BACKEND, '240.0.0.1']]) }),
      proxyOf(sidecar, { adminPort: 9901 }),
    );
    assert.ok(outboundNames(config).includes('outbound:10.96.0.10:8080'));
    assert.deepEqual(configViolations(config), []);
  });
});

describe('mesh state with platform outbounds', () => {
  it('carries them in the snapshot and in the mesh hash', () => {
    const dataplanes = [gateway(), ...peers];
    const build = (services: KubeServiceView[] | undefined) =>
      buildMeshState(mesh('default'), dataplanes, 'zone-1', [], new Map(), undefined, undefined, services && clusterIpOutbounds(dataplanes, services));
    const without = build(undefined);
    const withViews = build(views);
    const moved = build(views.map((v) => (v.name === 'backend' ? { ...v, clusterIP: '10.96.0.11' } : v)));
    assert.equal(without.snapshot.platformOutbounds, undefined);
    assert.equal(withViews.snapshot.platformOutbounds?.length, 4);
    assert.notEqual(without.meshHash, withViews.meshHash);
    assert.notEqual(withViews.meshHash, moved.meshHash);
    assert.equal(build(views).meshHash, withViews.meshHash);
  });
});

/** A platform source whose Services the test sets, as the Kubernetes source would report them. */
function fakePlatform(initial: KubeServiceView[]) {
  let services = initial;
  const listeners = new Set<() => void>();
  const source: PlatformOutbounds = {
    outbounds: (_mesh, dataplanes) => clusterIpOutbounds(dataplanes, services),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    listenerCount: () => listeners.size,
    set(next: KubeServiceView[]) {
      services = next;
      for (const l of listeners) l();
    },
  };
}

describe('controller with a platform outbound source', () => {
  it('regenerates connected proxies when the Services change', async () => {
    const { store, registry, manager, cache, start } = await testControllerBase();
    for (const dp of [gateway(), ...peers]) {
      await manager.create(registry.mustGet('Dataplane'), { mesh: 'default', name: dp.meta.name }, { labels: {}, spec: dp.spec });
    }
    const platform = fakePlatform(views.filter((v) => v.name !== 'backend'));
    const controller = start({ platformOutbounds: platform.source });
    const listenersOf = () => [...(cache.get('default.kong-1.kong')?.get(TYPE_URL.Listener)?.keys() ?? [])];
    try {
      await controller.onStreamOpen({ streamId: 's1', node: create(NodeSchema, { id: 'default.kong-1.kong' }), kind: 'sotw', headers: new Headers() });
      assert.ok(listenersOf().includes('outbound:10.96.0.20:80'));
      assert.ok(!listenersOf().includes('outbound:10.96.0.10:8080'));

      platform.set(views);
      await controller.settled();
      assert.ok(listenersOf().includes('outbound:10.96.0.10:8080'));

      platform.set(views.map((v) => (v.name === 'backend' ? { ...v, clusterIP: '10.96.0.11' } : v)));
      await controller.settled();
      assert.ok(listenersOf().includes('outbound:10.96.0.11:8080'));
      assert.ok(!listenersOf().includes('outbound:10.96.0.10:8080'));
      controller.onStreamClose({ streamId: 's1', node: create(NodeSchema, { id: 'default.kong-1.kong' }), kind: 'sotw', headers: new Headers() });
    } finally {
      await controller.close();
      await store.close();
    }
    assert.equal(platform.listenerCount(), 0, 'close unsubscribes');
  });
});

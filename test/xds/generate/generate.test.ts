import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toBinary } from '@bufbuild/protobuf';
import { ClusterLoadAssignmentSchema } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { ClusterSchema } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { AdminConfigError, buildEndpointIndex, generateEnvoyConfig, type EnvoyConfig } from '../../../src/xds/generate/index.js';
import { destinationClusterName } from '../../../src/xds/generate/subset-cluster-name.js';
import { configBytes, dataplane, endpointDataplane, mesh, proxyOf, renderConfig } from './fixtures.js';

const svc = (service: string, extra: Record<string, string> = {}) => ({ 'kuma.io/service': service, ...extra });
// Subset naming is checked against Kuma's goldens in names.test.ts.
const API_V2 = destinationClusterName(svc('api', { version: 'v2' }));

const OUTBOUNDS = [
  { port: 18080, tags: svc('backend') },
  { port: 40001, tags: svc('api') },
  { port: 40002, address: '127.0.0.2', tags: svc('api', { version: 'v2' }) },
  { port: 40003, tags: svc('nowhere') },
];

function meshDataplanes() {
  return [
    endpointDataplane('backend-1', '10.0.1.1', 8080, svc('backend')),
    endpointDataplane('backend-2', '10.0.1.2', 8080, svc('backend', { 'kuma.io/zone': 'east' })),
    endpointDataplane('api-1', '10.0.2.1', 8080, svc('api', { 'kuma.io/protocol': 'http', version: 'v1' })),
    endpointDataplane('api-2', '10.0.2.2', 8080, svc('api', { 'kuma.io/protocol': 'http', version: 'v2' })),
  ];
}

const gateway = dataplane('kong-1', { networking: { address: '10.0.0.10', gateway: { tags: svc('kong') }, outbound: OUTBOUNDS } });
const sidecar = dataplane('web-1', {
  networking: { address: '10.0.0.11', inbound: [{ port: 8080, tags: svc('web', { 'kuma.io/protocol': 'http' }) }], outbound: OUTBOUNDS },
});
const snapshot = { mesh: mesh('default'), dataplanes: [gateway, sidecar, ...meshDataplanes()] };

function names(config: EnvoyConfig) {
  return {
    listeners: config.listeners.map((l) => l.name),
    clusters: config.clusters.map((c) => c.name),
    endpoints: config.endpoints.map((e) => e.clusterName),
    routes: config.routes.map((r) => r.name),
  };
}

describe('delegated gateway', () => {
  const index = buildEndpointIndex(snapshot);
  const gatewayConfig = generateEnvoyConfig(snapshot, proxyOf(gateway, { adminPort: 9901 }), index);
  const sidecarConfig = generateEnvoyConfig(snapshot, proxyOf(sidecar, { adminPort: 9901 }), index);

  it('gets admin and outbound resources, and no inbound listener or local cluster', () => {
    assert.deepEqual(names(gatewayConfig), {
      listeners: ['kuma:envoy:admin', 'outbound:127.0.0.1:18080', 'outbound:127.0.0.1:40001', 'outbound:127.0.0.1:40003', 'outbound:127.0.0.2:40002'],
      clusters: ['api', API_V2, 'backend', 'kuma:envoy:admin', 'kuma:readiness', 'nowhere'],
      endpoints: ['api', API_V2, 'backend', 'nowhere'],
      routes: [],
    });
  });

  it("gets exactly a sidecar's outbound resources, byte for byte", () => {
    const outbound = (config: EnvoyConfig) => ({
      listeners: config.listeners.filter((l) => l.name.startsWith('outbound:')).map((l) => Buffer.from(toBinary(ListenerSchema, l)).toString('base64')),
      clusters: config.clusters.filter((c) => !/^(kuma|localhost):/.test(c.name)).map((c) => Buffer.from(toBinary(ClusterSchema, c)).toString('base64')),
      endpoints: config.endpoints.map((e) => Buffer.from(toBinary(ClusterLoadAssignmentSchema, e)).toString('base64')),
    });
    assert.deepEqual(outbound(gatewayConfig), outbound(sidecarConfig));
    assert.ok(sidecarConfig.listeners.some((l) => l.name === 'inbound:10.0.0.11:8080'));
  });

  it('is the same whether or not the index is passed in', () => {
    assert.ok(configBytes(generateEnvoyConfig(snapshot, proxyOf(gateway, { adminPort: 9901 }))).equals(configBytes(gatewayConfig)));
  });
});

describe('outbound resources', () => {
  const rendered = renderConfig(generateEnvoyConfig(snapshot, proxyOf(gateway)));

  it('a subset outbound selects the endpoints carrying its extra tags', () => {
    const subset = rendered.endpoints.get(API_V2);
    assert.deepEqual(
      subset.endpoints[0].lbEndpoints.map((e: any) => e.endpoint.address.socketAddress.address),
      ['10.0.2.2'],
    );
    const all = rendered.endpoints.get('api');
    assert.equal(all.endpoints[0].lbEndpoints.length, 2);
  });

  it('endpoints carry tags minus the service, weight 1, and a locality from the zone', () => {
    assert.deepEqual(rendered.endpoints.get('backend').endpoints, [
      { lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.1.1', portValue: 8080 } } }, loadBalancingWeight: 1 }] },
      {
        locality: { zone: 'east' },
        lbEndpoints: [
          {
            endpoint: { address: { socketAddress: { address: '10.0.1.2', portValue: 8080 } } },
            loadBalancingWeight: 1,
            metadata: { filterMetadata: { 'envoy.lb': { 'kuma.io/zone': 'east' }, 'envoy.transport_socket_match': { 'kuma.io/zone': 'east' } } },
          },
        ],
      },
    ]);
  });

  it("endpoints carry the Dataplane's labels under io.kuma.labels", () => {
    const labelled = dataplane('db-1', { networking: { address: '10.0.3.1', inbound: [{ port: 5432, tags: svc('db') }] } }, { labels: { 'kuma.io/mesh': 'default', team: 'data' } });
    const client = dataplane('c', { networking: { address: '10.0.0.1', gateway: {}, outbound: [{ port: 5432, tags: svc('db') }] } });
    const out = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [client, labelled] }, proxyOf(client)));
    assert.deepEqual(out.endpoints.get('db').endpoints[0].lbEndpoints[0].metadata, {
      filterMetadata: { 'io.kuma.labels': { 'kuma.io/mesh': 'default', team: 'data' } },
    });
  });

  it('an outbound to a service without endpoints still gets its listener, cluster and an empty assignment', () => {
    assert.deepEqual(rendered.endpoints.get('nowhere'), {
      '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
      clusterName: 'nowhere',
    });
  });

  it('outbounds with backendRef (MeshService mode) and cross-mesh outbounds are skipped', () => {
    const client = dataplane('c', {
      networking: {
        address: '10.0.0.1',
        gateway: {},
        outbound: [
          { port: 7000, backendRef: { kind: 'MeshService', name: 'backend', port: 80 } },
          { port: 7001, tags: svc('backend', { 'kuma.io/mesh': 'other' }) },
          { port: 7002, tags: svc('backend') },
        ],
      },
    });
    const config = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [client, ...meshDataplanes()] }, proxyOf(client));
    assert.deepEqual(names(config).listeners, ['outbound:127.0.0.1:7002']);
  });

  it('two outbounds to the same service share one cluster', () => {
    const client = dataplane('c', {
      networking: { address: '10.0.0.1', gateway: {}, outbound: [{ port: 7000, tags: svc('backend') }, { port: 7001, tags: svc('backend') }] },
    });
    const config = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [client, ...meshDataplanes()] }, proxyOf(client));
    assert.deepEqual(names(config), {
      listeners: ['outbound:127.0.0.1:7000', 'outbound:127.0.0.1:7001'],
      clusters: ['backend'],
      endpoints: ['backend'],
      routes: [],
    });
  });
});

describe('transparent proxy', () => {
  const tp = { redirectPortInbound: 15006, redirectPortOutbound: 15001 };
  const dp = (extra: Record<string, unknown>) =>
    dataplane('web', {
      networking: {
        address: '10.0.0.11',
        inbound: [
          { port: 8080, tags: svc('web') },
          { port: 9090, serviceAddress: '127.0.0.1', tags: svc('metrics') },
        ],
        outbound: [{ port: 18080, tags: svc('backend') }],
        ...extra,
      },
    });

  it('listeners do not bind; local clusters to a non-loopback app bind the source 127.0.0.6', () => {
    const withTp = dp({ transparentProxying: tp });
    const out = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [withTp] }, proxyOf(withTp)));
    assert.equal(out.listeners.get('inbound:10.0.0.11:8080').bindToPort, false);
    assert.equal(out.listeners.get('outbound:127.0.0.1:18080').bindToPort, false);
    assert.deepEqual(out.clusters.get('localhost:8080').upstreamBindConfig, { sourceAddress: { address: '127.0.0.6', portValue: 0 } });
    assert.equal(out.clusters.get('localhost:9090').upstreamBindConfig, undefined);
  });

  it('feature-bind-outbounds makes outbound listeners bind again', () => {
    const withTp = dp({ transparentProxying: tp });
    const out = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [withTp] }, proxyOf(withTp, { features: ['feature-bind-outbounds'] })));
    assert.equal(out.listeners.get('outbound:127.0.0.1:18080').bindToPort, undefined);
    assert.equal(out.listeners.get('inbound:10.0.0.11:8080').bindToPort, false);
  });

  it('without redirect ports, or IPv4-only mode on an IPv6 address, everything binds', () => {
    for (const spec of [dp({}), dataplane('v6', { networking: { address: 'fd00::11', inbound: [{ port: 8080, tags: svc('web') }], transparentProxying: { ...tp, ipFamilyMode: 'IPv4' } } })]) {
      const out = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [spec] }, proxyOf(spec)));
      for (const listener of out.listeners.values()) assert.equal(listener.bindToPort, undefined, listener.name);
    }
  });
});

describe('inbound resources', () => {
  it('use the inbound address, serviceAddress and servicePort; IPv6 names are bracketed', () => {
    const dp = dataplane('web', {
      networking: {
        address: 'fd00::11',
        inbound: [
          { port: 80, servicePort: 8080, serviceAddress: 'fd00::99', tags: svc('web') },
          { port: 81, address: 'fd00::12', tags: svc('other') },
        ],
      },
    });
    const out = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp] }, proxyOf(dp)));
    assert.deepEqual([...out.listeners.keys()], ['inbound:[fd00::11]:80', 'inbound:[fd00::12]:81']);
    assert.deepEqual(out.clusters.get('localhost:8080').loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress, {
      address: 'fd00::99',
      portValue: 8080,
    });
    assert.deepEqual(out.clusters.get('localhost:81').loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress, {
      address: 'fd00::12',
      portValue: 81,
    });
  });

  it('skip serviceless inbounds; a tag-less inbound gets its contextual name and listener-named routes', () => {
    const dp = dataplane('web', {
      networking: {
        address: '10.0.0.1',
        inbound: [
          { port: 49151, tags: svc('web') },
          { port: 9000, servicePort: 9001, name: 'http-port', protocol: 'http' },
        ],
      },
    });
    const out = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp] }, proxyOf(dp)));
    assert.deepEqual([...out.listeners.keys()], ['inbound:10.0.0.1:9000']);
    const listener = out.listeners.get('inbound:10.0.0.1:9000');
    assert.deepEqual(listener.metadata, { filterMetadata: { 'io.kuma.tags': { 'kuma.io/unified-name': 'self_inbound_dp_http-port' } } });
    const routeConfig = listener.filterChains[0].filters[0].typedConfig.routeConfig;
    assert.equal(routeConfig.name, 'inbound:10.0.0.1:9000');
    assert.equal(routeConfig.virtualHosts[0].name, 'inbound:10.0.0.1:9000');
  });
});

describe('admin resources', () => {
  const dp = (address: string) => dataplane('web', { networking: { address, inbound: [{ port: 8080, tags: svc('web') }] } });
  const generate = (address: string, meta: Record<string, unknown>) =>
    names(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp(address)] }, proxyOf(dp(address), meta)));

  it('are absent without an admin port', () => {
    assert.deepEqual(generate('10.0.0.1', { adminPort: 0 }).clusters, ['localhost:8080']);
  });

  it('have no listener when the Dataplane address is the admin address itself', () => {
    const out = generate('127.0.0.1', { adminPort: 9901 });
    assert.deepEqual(out.listeners, ['inbound:127.0.0.1:8080']);
    assert.deepEqual(out.clusters, ['kuma:envoy:admin', 'kuma:readiness', 'localhost:8080']);
  });

  it('map :: to ::1 and honour the readiness port and feature-reuse-port', () => {
    const dataplaneResource = dp('10.0.0.1');
    const out = renderConfig(
      generateEnvoyConfig(
        { mesh: mesh('default'), dataplanes: [dataplaneResource] },
        proxyOf(dataplaneResource, { adminPort: 9999, adminAddress: '::', readinessPort: 9555, features: ['feature-reuse-port'] }),
      ),
    );
    const endpointOf = (name: string) => out.clusters.get(name).loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress;
    assert.deepEqual(endpointOf('kuma:envoy:admin'), { address: '::1', portValue: 9999 });
    assert.deepEqual(endpointOf('kuma:readiness'), { address: '::1', portValue: 9555 });
    assert.equal(out.listeners.get('kuma:envoy:admin').enableReusePort, true);
    assert.equal(out.listeners.get('inbound:10.0.0.1:8080').enableReusePort, true);
  });

  it("reject admin addresses other than loopback or any, with Kuma's message", () => {
    assert.throws(
      () => generate('10.0.0.1', { adminPort: 9901, adminAddress: '10.0.0.1' }),
      (error: Error) =>
        error instanceof AdminConfigError &&
        error.message === 'envoy admin cluster is not allowed to have addresses other than "", "0.0.0.0", "127.0.0.1", "::", "::1"',
    );
  });
});

describe('determinism', () => {
  it('the same input gives identical bytes, whatever the Dataplane order and tag key order', () => {
    const first = configBytes(generateEnvoyConfig(snapshot, proxyOf(sidecar, { adminPort: 9901 })));
    const again = configBytes(generateEnvoyConfig(snapshot, proxyOf(sidecar, { adminPort: 9901 })));
    const reordered = {
      mesh: snapshot.mesh,
      dataplanes: [...snapshot.dataplanes].reverse().map((d) => ({
        ...d,
        spec: JSON.parse(JSON.stringify(d.spec), (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        ),
      })),
    };
    const sidecarReordered = reordered.dataplanes.find((d) => d.meta.name === 'web-1')!;
    const shuffled = configBytes(generateEnvoyConfig(reordered, proxyOf(sidecarReordered, { adminPort: 9901 })));
    assert.ok(first.length > 0);
    assert.ok(first.equals(again));
    assert.ok(first.equals(shuffled));
  });

  it('every list is sorted by name', () => {
    const config = generateEnvoyConfig(snapshot, proxyOf(sidecar, { adminPort: 9901 }));
    for (const list of Object.values(names(config))) assert.deepEqual(list, [...list].sort());
  });
});

describe('the index memo across snapshots', () => {
  it('keeps unchanged services and regenerates those whose endpoints changed', () => {
    const first = buildEndpointIndex(snapshot);
    const before = generateEnvoyConfig(snapshot, proxyOf(gateway), first);
    const changed = { ...snapshot, dataplanes: [...snapshot.dataplanes, endpointDataplane('backend-3', '10.0.1.3', 8080, svc('backend'))] };
    const next = buildEndpointIndex(changed, first);
    const after = generateEnvoyConfig(changed, proxyOf(gateway), next);

    const cla = (config: EnvoyConfig, name: string) => config.endpoints.find((e) => e.clusterName === name)!;
    assert.equal(cla(after, 'api'), cla(before, 'api'), 'unchanged service reuses its assignment');
    assert.notEqual(cla(after, 'backend'), cla(before, 'backend'));
    const groups = renderConfig(after).endpoints.get('backend').endpoints;
    assert.equal(groups.flatMap((g: any) => g.lbEndpoints).length, 3);
    // What a fresh index would give.
    assert.ok(configBytes(after).equals(configBytes(generateEnvoyConfig(changed, proxyOf(gateway)))));
  });

  it("drops a removed endpoint and follows a service's protocol change", () => {
    const first = buildEndpointIndex(snapshot);
    generateEnvoyConfig(snapshot, proxyOf(gateway), first);
    const changed = {
      ...snapshot,
      dataplanes: [gateway, endpointDataplane('backend-1', '10.0.1.1', 8080, svc('backend', { 'kuma.io/protocol': 'http' }))],
    };
    const after = generateEnvoyConfig(changed, proxyOf(gateway), buildEndpointIndex(changed, first));
    assert.ok(configBytes(after).equals(configBytes(generateEnvoyConfig(changed, proxyOf(gateway)))));
    const listener = renderConfig(after).listeners.get('outbound:127.0.0.1:18080');
    assert.equal(listener.filterChains[0].filters[0].name, 'envoy.filters.network.http_connection_manager');
  });
});

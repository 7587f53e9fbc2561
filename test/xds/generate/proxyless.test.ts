/**
 * Proxyless gRPC output: its shape, and acceptance by @grpc/grpc-js-xds's own
 * resource decoders (the code that decides between ACK and NACK).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ClusterSchema } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ClusterLoadAssignmentSchema } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { RouteConfigurationSchema } from '../../../gen/envoy/config/route/v3/route_pb.js';
import { buildEndpointIndex, generateEnvoyConfig } from '../../../src/xds/generate/index.js';
import { dataplane, endpointDataplane, mesh, proxyOf, renderConfig } from './fixtures.js';

const require = createRequire(import.meta.url);
const xds = require('@grpc/grpc-js-xds');
const { ListenerResourceType } = require('@grpc/grpc-js-xds/build/src/xds-resource-type/listener-resource-type.js');
const { RouteConfigurationResourceType } = require('@grpc/grpc-js-xds/build/src/xds-resource-type/route-config-resource-type.js');
const { ClusterResourceType } = require('@grpc/grpc-js-xds/build/src/xds-resource-type/cluster-resource-type.js');
const { EndpointResourceType } = require('@grpc/grpc-js-xds/build/src/xds-resource-type/endpoint-resource-type.js');
// Registers the router filter (and the rest) the decoders look up.
xds.register();

const svc = (service: string, extra: Record<string, string> = {}) => ({ 'kuma.io/service': service, ...extra });

const client = (extra: Record<string, unknown> = {}) =>
  dataplane('grpc-client', { networking: { address: '10.0.0.5', inbound: [{ port: 7000, tags: svc('client', { 'kuma.io/protocol': 'grpc' }) }], ...extra } });

const others = [
  endpointDataplane('echo-1', '10.0.1.1', 50051, svc('echo', { 'kuma.io/protocol': 'grpc' })),
  endpointDataplane('echo-2', '10.0.1.2', 50051, svc('echo', { 'kuma.io/protocol': 'grpc', 'kuma.io/zone': 'east' })),
  endpointDataplane('echo-3', '10.0.1.3', 50051, svc('echo', { 'kuma.io/protocol': 'grpc', 'kuma.io/zone': 'east' })),
  endpointDataplane('echo-down', '10.0.1.4', 50051, svc('echo'), { health: { ready: false } }),
  endpointDataplane('db-1', '10.0.2.1', 5432, svc('db')),
];

function generate(dp: ReturnType<typeof client>) {
  const snapshot = { mesh: mesh('default'), dataplanes: [dp, ...others] };
  return generateEnvoyConfig(snapshot, proxyOf(dp, { proxyless: true, adminPort: 9901 }), buildEndpointIndex(snapshot));
}

describe('proxyless gRPC resources', () => {
  it('cover every service with endpoints, the client own included; no admin or inbound resources', () => {
    const config = generate(client());
    assert.deepEqual(config.listeners.map((l) => l.name), ['xds:///client', 'xds:///db', 'xds:///echo']);
    assert.deepEqual(config.routes.map((r) => r.name), ['outbound:client', 'outbound:db', 'outbound:echo']);
    assert.deepEqual(config.clusters.map((c) => c.name), ['client', 'db', 'echo']);
    assert.deepEqual(config.endpoints.map((e) => e.clusterName), ['client', 'db', 'echo']);
  });

  it('are narrowed by reachableServices, and add explicit outbounds even without endpoints', () => {
    const config = generate(
      client({ transparentProxying: { reachableServices: ['echo'] }, outbound: [{ port: 9000, tags: svc('payments') }] }),
    );
    assert.deepEqual(config.listeners.map((l) => l.name), ['xds:///echo', 'xds:///payments']);
  });

  it('have an API listener whose HCM fetches the route config over ADS and ends with the router', () => {
    const out = renderConfig(generate(client()));
    assert.deepEqual(out.listeners.get('xds:///echo'), {
      '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
      name: 'xds:///echo',
      apiListener: {
        apiListener: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
          statPrefix: 'echo',
          rds: { configSource: { ads: {}, resourceApiVersion: 'V3' }, routeConfigName: 'outbound:echo' },
          httpFilters: [{ name: 'envoy.filters.http.router', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
        },
      },
    });
    assert.deepEqual(out.routes.get('outbound:echo'), {
      '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
      name: 'outbound:echo',
      virtualHosts: [{ name: 'echo', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'echo' } }] }],
    });
    assert.deepEqual(out.clusters.get('echo'), {
      '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      name: 'echo',
      type: 'EDS',
      edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' } },
    });
  });

  it('give every locality a weight (its endpoints) and every endpoint HEALTHY; unhealthy inbounds are absent', () => {
    const out = renderConfig(generate(client()));
    const endpoint = (address: string) => ({
      endpoint: { address: { socketAddress: { address, portValue: 50051 } } },
      healthStatus: 'HEALTHY',
      loadBalancingWeight: 1,
    });
    assert.deepEqual(out.endpoints.get('echo'), {
      '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
      clusterName: 'echo',
      endpoints: [
        { locality: {}, loadBalancingWeight: 1, lbEndpoints: [endpoint('10.0.1.1')] },
        { locality: { zone: 'east' }, loadBalancingWeight: 2, lbEndpoints: [endpoint('10.0.1.2'), endpoint('10.0.1.3')] },
      ],
    });
  });
});

describe('grpc-js-xds 1.14 accepts the proxyless resources', () => {
  const context = { server: {}, bootstrap: { certificateProviders: {} } };
  function decode<S extends DescMessage>(type: any, schema: S, message: MessageShape<S>) {
    return type.get().decode(context, { type_url: `type.googleapis.com/${schema.typeName}`, value: Buffer.from(toBinary(schema, message)) });
  }

  const config = generate(client({ outbound: [{ port: 9000, tags: svc('payments') }] }));

  it('listeners', () => {
    for (const listener of config.listeners) {
      const result = decode(ListenerResourceType, ListenerSchema, listener);
      assert.equal(result.error, undefined, listener.name);
      assert.equal(result.name, listener.name);
    }
  });

  it('route configurations', () => {
    for (const route of config.routes) assert.equal(decode(RouteConfigurationResourceType, RouteConfigurationSchema, route).error, undefined, route.name);
  });

  it('clusters', () => {
    for (const cluster of config.clusters) assert.equal(decode(ClusterResourceType, ClusterSchema, cluster).error, undefined, cluster.name);
  });

  it('load assignments, the empty one included', () => {
    assert.ok(config.endpoints.some((e) => e.clusterName === 'payments' && e.endpoints.length === 0));
    for (const assignment of config.endpoints) {
      assert.equal(decode(EndpointResourceType, ClusterLoadAssignmentSchema, assignment).error, undefined, assignment.clusterName);
    }
  });

  it("but rejects a sidecar's load assignment, which has no locality (so the decoders do validate)", () => {
    const dp = client({ outbound: [{ port: 9000, tags: svc('db') }] });
    const sidecar = generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp, ...others] }, proxyOf(dp));
    const assignment = sidecar.endpoints.find((e) => e.clusterName === 'db')!;
    assert.match(String(decode(EndpointResourceType, ClusterLoadAssignmentSchema, assignment).error), /locality unset/);
  });
});

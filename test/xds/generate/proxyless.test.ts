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

const context = { server: {}, bootstrap: { certificateProviders: {} } };
function decode<S extends DescMessage>(type: any, schema: S, message: MessageShape<S>) {
  return type.get().decode(context, { type_url: `type.googleapis.com/${schema.typeName}`, value: Buffer.from(toBinary(schema, message)) });
}

describe('grpc-js-xds 1.14 accepts the proxyless resources', () => {

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

describe('proxyless gRPC clients in an mTLS mesh', () => {
  const STRICT = { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] };
  const PERMISSIVE = { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin', mode: 'PERMISSIVE' }] };
  const generateIn = (mtls: unknown) => {
    const dp = client();
    const snapshot = { mesh: mesh('default', mtls === undefined ? {} : { mtls }), dataplanes: [dp, ...others], tlsReadyServices: new Set(['client', 'db', 'echo']) };
    return generateEnvoyConfig(snapshot, proxyOf(dp, { proxyless: true }));
  };
  // What a client's bootstrap `certificate_providers` block turns into (the decoders only look up the names).
  const withProvider = { server: {}, bootstrap: { certificateProviders: { ferry: { pluginName: 'file_watcher', config: {} } } } };
  const decodeCluster = (context: unknown, cluster: MessageShape<typeof ClusterSchema>) =>
    ClusterResourceType.get().decode(context, { type_url: `type.googleapis.com/${ClusterSchema.typeName}`, value: Buffer.from(toBinary(ClusterSchema, cluster)) });

  it('STRICT: each cluster names the ferry certificate provider for identity and CA, and the SPIFFE ID of its service', () => {
    const out = renderConfig(generateIn(STRICT));
    assert.deepEqual(out.clusters.get('echo').transportSocket, {
      name: 'envoy.transport_sockets.tls',
      typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
        commonTlsContext: {
          tlsCertificateProviderInstance: { instanceName: 'ferry', certificateName: 'identity' },
          validationContext: {
            caCertificateProviderInstance: { instanceName: 'ferry', certificateName: 'ca' },
            matchSubjectAltNames: [{ exact: 'spiffe://default/echo' }],
          },
        },
      },
    });
    assert.equal(out.clusters.get('db').transportSocket.typedConfig.commonTlsContext.validationContext.matchSubjectAltNames[0].exact, 'spiffe://default/db');
  });

  it('STRICT: grpc-js-xds accepts the clusters and turns them into a security config', () => {
    for (const cluster of generateIn(STRICT).clusters) {
      const result = decodeCluster(withProvider, cluster);
      assert.equal(result.error, undefined, cluster.name);
      assert.deepEqual(
        {
          ca: result.value.securityUpdate.caCertificateProviderInstance,
          identity: result.value.securityUpdate.identityCertificateProviderInstance,
          sans: result.value.securityUpdate.subjectAltNameMatchers.map((m: any) => [m.match_pattern, m.exact]),
        },
        { ca: 'ferry', identity: 'ferry', sans: [['exact', `spiffe://default/${cluster.name}`]] },
        cluster.name,
      );
    }
  });

  it('STRICT: grpc-js-xds rejects them when the bootstrap lacks the provider (so it does check)', () => {
    const [cluster] = generateIn(STRICT).clusters;
    assert.match(String(decodeCluster(context, cluster).error), /Unmatched .*instance_name: ferry/);
  });

  it('STRICT: listeners, routes and load assignments are unchanged and still accepted', () => {
    const tls = generateIn(STRICT);
    const plain = generateIn(undefined);
    for (const key of ['listeners', 'routes', 'endpoints'] as const) assert.deepEqual(renderConfig(tls)[key], renderConfig(plain)[key], key);
    for (const listener of tls.listeners) assert.equal(decode(ListenerResourceType, ListenerSchema, listener).error, undefined, listener.name);
  });

  it('PERMISSIVE or mTLS off: plaintext (a gRPC client never offers the ALPN a PERMISSIVE inbound terminates)', () => {
    for (const mtls of [PERMISSIVE, undefined]) {
      for (const cluster of generateIn(mtls).clusters) assert.equal(cluster.transportSocket, undefined, cluster.name);
    }
  });
});

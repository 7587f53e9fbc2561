/**
 * Resources for proxyless gRPC clients (@grpc/grpc-js-xds and friends): per
 * reachable service an API listener `xds:///<service>` whose HTTP connection
 * manager fetches route config `outbound:<service>` over RDS, that route config,
 * an EDS cluster `<service>` and its load assignment. Clients must map dial
 * targets to these names with `client_default_listener_resource_name_template:
 * "xds:///%s"` in their bootstrap. Kuma has no proxyless mode; this follows
 * gRPC's xDS rules (A27/A28) and what grpc-js-xds 1.14 validates.
 *
 * In a STRICT mTLS mesh clusters carry an UpstreamTlsContext naming
 * certificate provider instances (gRFC A29) that the client's bootstrap maps
 * to its certificate files. Not under PERMISSIVE: there an inbound only
 * terminates TLS that offers Kuma's ALPN, which gRPC clients never do, so
 * their TLS would reach the application untouched; plaintext is accepted.
 */
import { Cluster_DiscoveryType, Cluster_LbPolicy } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { HttpConnectionManagerSchema } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { outboundInterfaces, reachableServices } from './dataplane-view.js';
import { ADS_CONFIG_SOURCE, make, pack, ROUTER_FILTER } from './envoy-messages.js';
import { proxylessLoadAssignment } from './load-assignment.js';
import type { MeshMtls } from './mesh-mtls.js';
import { outboundRouteName, proxylessListenerName, sanitizeMetric } from './names.js';
import type { ResourceCollector } from './resource-collector.js';
import { SERVICE_TAG } from './subset-cluster-name.js';
import { proxylessUpstreamMeshTls } from './tls-contexts.js';
import type { EndpointIndex, Proxy } from './types.js';

/** Every service with endpoints (narrowed to `reachableServices` when set), plus explicit outbounds' services. */
export function proxylessServices(proxy: Proxy, index: EndpointIndex): string[] {
  const spec = proxy.dataplane.spec;
  const reachable = reachableServices(spec);
  const allowed = reachable.length > 0 ? new Set(reachable) : undefined;
  const services = new Set<string>();
  for (const service of index.services.keys()) {
    if (!allowed || allowed.has(service)) services.add(service);
  }
  for (const outbound of outboundInterfaces(spec)) services.add(outbound.tags[SERVICE_TAG]);
  return [...services].sort();
}

export function generateProxyless(proxy: Proxy, index: EndpointIndex, mtls: MeshMtls | undefined, out: ResourceCollector): void {
  const tlsMesh = mtls?.mode === 'STRICT' ? mtls.mesh : undefined;
  for (const service of proxylessServices(proxy, index)) {
    const kind = tlsMesh ? 'proxyless-mtls' : 'proxyless';
    const resources = index.memo.byEndpoints(service, kind, service, () => proxylessResources(index, service, tlsMesh));
    out.addListener(resources.listener);
    out.addRoute(resources.route);
    out.addCluster(resources.cluster);
    out.addEndpoints(resources.endpoints);
  }
}

function proxylessResources(index: EndpointIndex, service: string, tlsMesh: string | undefined) {
  const routeName = outboundRouteName(service);
  const hcm = make.hcm({
    statPrefix: sanitizeMetric(service),
    routeSpecifier: { case: 'rds', value: make.rds({ routeConfigName: routeName, configSource: ADS_CONFIG_SOURCE }) },
    // gRPC requires the router, and only the router, last.
    httpFilters: [ROUTER_FILTER],
  });
  const listener = make.listener({
    name: proxylessListenerName(service),
    apiListener: make.apiListener({ apiListener: pack(HttpConnectionManagerSchema, hcm) }),
  });
  const route = make.routeConfiguration({
    name: routeName,
    virtualHosts: [
      make.virtualHost({
        name: service,
        domains: ['*'],
        routes: [
          make.route({
            match: make.routeMatch({ pathSpecifier: { case: 'prefix', value: '/' } }),
            action: { case: 'route', value: make.routeAction({ clusterSpecifier: { case: 'cluster', value: service } }) },
          }),
        ],
      }),
    ],
  });
  const cluster = make.cluster({
    name: service,
    clusterDiscoveryType: { case: 'type', value: Cluster_DiscoveryType.EDS },
    edsClusterConfig: make.edsClusterConfig({ edsConfig: ADS_CONFIG_SOURCE }),
    lbPolicy: Cluster_LbPolicy.ROUND_ROBIN,
    transportSocket: tlsMesh === undefined ? undefined : proxylessUpstreamMeshTls(tlsMesh, service),
  });
  const endpoints = proxylessLoadAssignment(service, index.services.get(service)?.endpoints ?? []);
  return { listener, route, cluster, endpoints };
}

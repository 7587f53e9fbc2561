/**
 * Outbound listeners, clusters and load assignments on Kuma v2.14.3's default
 * path: no TrafficRoute in the mesh, so the MeshHTTPRoute and MeshTCPRoute
 * plugins generate every outbound (`pkg/plugins/policies/meshhttproute/plugin`,
 * `.../meshtcproute/plugin`, `.../core/xds/meshroute`). Without route policies
 * each outbound gets its one default route. Sidecars and delegated gateways go
 * through the same code. With mesh mTLS every cluster dials its service over
 * mTLS (`pkg/xds/envoy/clusters/v3/client_side_mtls_configurer.go`).
 */
import { createHash } from 'node:crypto';
import { toBinary } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import { Cluster_DiscoveryType, type Cluster } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { TrafficDirection } from '../../../gen/envoy/config/core/v3/base_pb.js';
import type { ClusterLoadAssignment } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import type { Listener } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { HttpConnectionManagerSchema } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { TcpProxySchema } from '../../../gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy_pb.js';
import { transparentProxyEnabled, type OutboundInterface } from './dataplane-view.js';
import {
  ADS_CONFIG_SOURCE,
  filterMetadata,
  GRPC_STATS_FILTER,
  internalAddressConfig,
  make,
  packEncoded,
  ROUTER_FILTER,
  socketAddress,
  sortedCopy,
  typedFilter,
  UPSTREAM_HTTP_OPTIONS_KEY,
  upstreamHttpOptions,
} from './envoy-messages.js';
import { loadAssignment, selectEndpoints } from './load-assignment.js';
import { clientMtls, type MeshMtls } from './mesh-mtls.js';
import { encodeOutboundRouteHcm, encodeTcpProxy } from './outbound-filter-encoding.js';
import { outboundListenerName, outboundRouteName, sanitizeMetric } from './names.js';
import { isHttpBased, UNKNOWN_PROTOCOL, type Protocol } from './protocol.js';
import type { ResourceCollector } from './resource-collector.js';
import { destinationClusterName, SERVICE_TAG } from './subset-cluster-name.js';
import { encodeSharedUpstreamMeshTls, meshSni, upstreamMeshTls } from './tls-contexts.js';
import type { EndpointIndex, InternalAddress, Proxy } from './types.js';

const MESH_TAG = 'kuma.io/mesh';

/** MeshTCPRoute's default backend accepts these; tls and mysql services get a listener without filters, as in Kuma. */
const TCP_SPLIT_PROTOCOLS = new Set<Protocol>([UNKNOWN_PROTOCOL, 'kafka', 'tcp', 'http', 'http2', 'grpc']);

/** The name MeshHTTPRoute gives the catch-all route: SHA-256 (base64) of the JSON of its match. */
export const DEFAULT_ROUTE_NAME = createHash('sha256').update(JSON.stringify([{ path: { value: '/', type: 'PathPrefix' } }])).digest('base64');

export interface OutboundSettings {
  internalAddresses: readonly InternalAddress[];
  /** Memo key for the internal addresses, which the HTTP filter depends on. */
  internalAddressesKey: string;
  /** Undefined when the mesh has mTLS off. */
  mtls: MeshMtls | undefined;
  tlsReadyServices: ReadonlySet<string> | undefined;
}

/** `outbounds` as `proxyOutbounds` resolves them: the spec's, or the mesh's VIPs under a transparent proxy. */
export function generateOutbounds(
  proxy: Proxy,
  outbounds: readonly OutboundInterface[],
  index: EndpointIndex,
  settings: OutboundSettings,
  out: ResourceCollector,
): void {
  // With `feature-bind-outbounds` the proxy binds each outbound itself even under a transparent proxy.
  const bindToPort = !transparentProxyEnabled(proxy.dataplane.spec) || proxy.metadata.features.includes('feature-bind-outbounds');
  for (const outbound of outbounds) {
    // Cross-mesh outbounds (MeshGateway listeners of other meshes) are not supported.
    if (outbound.tags[MESH_TAG] !== undefined) continue;
    const service = outbound.tags[SERVICE_TAG];
    const protocol = index.services.get(service)?.protocol ?? UNKNOWN_PROTOCOL;
    const clusterName = isHttpBased(protocol) || TCP_SPLIT_PROTOCOLS.has(protocol) ? destinationClusterName(outbound.tags) : undefined;
    out.addListener(outboundListener(index, outbound, service, protocol, clusterName, bindToPort, settings));
    if (clusterName === undefined) continue;
    const mtls = clientMtls(settings.mtls, service, settings.tlsReadyServices) ? settings.mtls : undefined;
    out.addCluster(outboundCluster(index, service, clusterName, outbound.tags, mtls));
    out.addEndpoints(outboundLoadAssignment(index, service, clusterName, outbound.tags));
  }
}

/**
 * Proxies with the same outbound (VIPs, or the same port on 127.0.0.1) get the
 * same listener, so it is shared through the memo as well.
 */
function outboundListener(
  index: EndpointIndex,
  outbound: OutboundInterface,
  service: string,
  protocol: Protocol,
  clusterName: string | undefined,
  bindToPort: boolean,
  settings: OutboundSettings,
): Listener {
  const filterKind = clusterName === undefined ? 'none' : isHttpBased(protocol) ? `${protocol === 'grpc' ? 'grpc' : 'http'}${settings.internalAddressesKey}` : 'tcp';
  const tagsKey = Object.keys(outbound.tags).length === 1 ? '' : JSON.stringify(sortedCopy(outbound.tags));
  const key = `${service}|${outbound.address}:${outbound.port}|${bindToPort ? 'bind' : 'nobind'}|${filterKind}|${tagsKey}`;
  return index.memo.byName(service, 'listener', key, () => {
    const filter = clusterName === undefined ? undefined : outboundFilter(index, service, protocol, clusterName, settings);
    return make.listener({
      name: outboundListenerName(outbound.address, outbound.port),
      address: socketAddress(outbound.address, outbound.port),
      trafficDirection: TrafficDirection.OUTBOUND,
      bindToPort: bindToPort ? undefined : false,
      metadata: filterMetadata({ 'io.kuma.tags': outbound.tags }),
      filterChains: [make.filterChain({ filters: filter ? [typedFilter(filter.name, filter.config)] : [] })],
    });
  });
}

/** The listener's only filter; it does not depend on the proxy's address or port, so proxies share it. */
function outboundFilter(
  index: EndpointIndex,
  service: string,
  protocol: Protocol,
  clusterName: string,
  settings: OutboundSettings,
): { name: string; config: Any } {
  if (!isHttpBased(protocol)) {
    return index.memo.byName(service, 'tcp-filter', clusterName, () => ({
      name: 'envoy.filters.network.tcp_proxy',
      config: packEncoded(TcpProxySchema, encodeTcpProxy(sanitizeMetric(service), clusterName)),
    }));
  }
  const grpc = protocol === 'grpc';
  const key = `${grpc ? 'grpc' : 'http'}${settings.internalAddressesKey}`;
  return index.memo.byName(service, `http-filter${key}`, clusterName, () => {
    const perService = encodeOutboundRouteHcm({
      statPrefix: sanitizeMetric(service),
      routeConfigName: outboundRouteName(service),
      virtualHostName: service,
      routeName: DEFAULT_ROUTE_NAME,
      cluster: clusterName,
    });
    const shared = index.memo.shared('outbound-http', key, () =>
      toBinary(
        HttpConnectionManagerSchema,
        make.hcm({
          httpFilters: grpc ? [GRPC_STATS_FILTER, ROUTER_FILTER] : [ROUTER_FILTER],
          normalizePath: true,
          internalAddressConfig: internalAddressConfig(settings.internalAddresses),
        }),
      ),
    );
    return { name: 'envoy.filters.network.http_connection_manager', config: packEncoded(HttpConnectionManagerSchema, perService, shared) };
  });
}

/**
 * Mesh clusters always speak HTTP/2 upstream: sidecar-to-sidecar HTTP travels as h2.
 * The name hashes the tags, so (within one mesh) it determines the SNI too.
 */
function outboundCluster(
  index: EndpointIndex,
  service: string,
  name: string,
  tags: Readonly<Record<string, string>>,
  mtls: MeshMtls | undefined,
): Cluster {
  return index.memo.byName(service, mtls ? 'mtls-cluster' : 'cluster', name, () => {
    const altStatName = sanitizeMetric(name);
    return make.cluster({
      name,
      altStatName: altStatName === name ? '' : altStatName,
      clusterDiscoveryType: { case: 'type', value: Cluster_DiscoveryType.EDS },
      edsClusterConfig: make.edsClusterConfig({ edsConfig: ADS_CONFIG_SOURCE }),
      typedExtensionProtocolOptions: { [UPSTREAM_HTTP_OPTIONS_KEY]: HTTP2_OPTIONS },
      transportSocket: mtls && upstreamMeshTls(sharedTls(index, mtls.mesh), mtls.mesh, service, meshSni(tags, mtls.mesh)),
    });
  });
}

const HTTP2_OPTIONS = upstreamHttpOptions(true);

function sharedTls(index: EndpointIndex, mesh: string): Uint8Array {
  return index.memo.shared('upstream-tls', mesh, () => encodeSharedUpstreamMeshTls(mesh));
}

/** The cluster name hashes the selecting tags, so it identifies the assignment. */
function outboundLoadAssignment(index: EndpointIndex, service: string, clusterName: string, tags: Readonly<Record<string, string>>): ClusterLoadAssignment {
  return index.memo.byEndpoints(service, 'load-assignment', clusterName, () =>
    loadAssignment(clusterName, selectEndpoints(index.services.get(service)?.endpoints ?? [], tags)),
  );
}

/**
 * The transparent proxy's catch-alls (`pkg/xds/generator/transparent_proxy_generator.go`):
 * a listener on the outbound redirect port that forwards what no outbound
 * listener claims to its original destination, one on the inbound redirect
 * port that hands traffic for unlisted ports to the application, their
 * ORIGINAL_DST clusters, and a cluster without endpoints. Only when outbound
 * traffic is redirected and the proxy does not bind its outbounds itself; the
 * IPv6 twins unless the proxy is IPv4-only. A mesh with passthrough off keeps
 * the outbound listener but loses its cluster, so such traffic is dropped.
 */
import { Cluster_DiscoveryType, Cluster_LbPolicy, type Cluster } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { TrafficDirection } from '../../../gen/envoy/config/core/v3/base_pb.js';
import type { FilterChain } from '../../../gen/envoy/config/listener/v3/listener_components_pb.js';
import type { Listener } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { TcpProxySchema } from '../../../gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy_pb.js';
import type { Spec } from '../../core/resource.js';
import { passthroughEnabled } from '../../resources/mesh.js';
import { inboundInterfaces, SERVICELESS_PORT, transparentProxyConfig } from './dataplane-view.js';
import { make, pack, seconds, socketAddress, typedFilter } from './envoy-messages.js';
import type { MeshMtls } from './mesh-mtls.js';
import { NO_DESTINATION_INBOUND_CLUSTER, passthroughName, sanitizeMetric, type IpFamily } from './names.js';
import type { ResourceCollector } from './resource-collector.js';
import type { EndpointIndex, MeshSnapshot, Proxy } from './types.js';

// Kuma's default outbound connect timeout.
const CONNECT_TIMEOUT_SECONDS = 5;

interface Family {
  name: IpFamily;
  /** Every address of the family, where the catch-alls listen. */
  any: string;
  /** The source the application sees on passed-through inbound traffic, which the redirect rules let through. */
  inboundSource: string;
}

const IPV4: Family = { name: 'ipv4', any: '0.0.0.0', inboundSource: '127.0.0.6' };
const IPV6: Family = { name: 'ipv6', any: '::', inboundSource: '::6' };

export function generateTransparentProxy(
  snapshot: MeshSnapshot,
  proxy: Proxy,
  index: EndpointIndex,
  mtls: MeshMtls | undefined,
  out: ResourceCollector,
): void {
  const spec = proxy.dataplane.spec;
  const tp = transparentProxyConfig(spec);
  const features = proxy.metadata.features;
  if (!tp || tp.redirectPortOutbound === 0 || features.includes('feature-bind-outbounds')) return;
  const passthrough = passthroughEnabled(snapshot.mesh.spec);
  const reusePort = features.includes('feature-reuse-port');
  // With STRICT mTLS only the declared inbound ports may be reached past the mesh.
  const strictPorts = features.includes('feature-strict-inbound-ports') && mtls?.mode === 'STRICT' ? declaredInboundPorts(spec) : [];
  out.addCluster(NO_DESTINATION_CLUSTER);
  for (const family of tp.ipv6 ? [IPV4, IPV6] : [IPV4]) {
    const outboundKey = `${family.name}|${tp.redirectPortOutbound}`;
    out.addListener(index.memo.shared('tp-outbound-listener', outboundKey, () => outboundPassthroughListener(family, tp.redirectPortOutbound)));
    if (passthrough) out.addCluster(OUTBOUND_CLUSTERS[family.name]);
    const inboundKey = `${family.name}|${tp.redirectPortInbound}|${reusePort}|${strictPorts.join(',')}`;
    out.addListener(
      index.memo.shared('tp-inbound-listener', inboundKey, () => inboundPassthroughListener(family, tp.redirectPortInbound, reusePort, strictPorts)),
    );
    out.addCluster(INBOUND_CLUSTERS[family.name]);
  }
}

/** Each inbound port once, in spec order. */
function declaredInboundPorts(spec: Spec): number[] {
  return [...new Set(inboundInterfaces(spec).map((inbound) => inbound.dataplanePort))];
}

function tcpProxyChain(statName: string, cluster: string, destinationPort?: number): FilterChain {
  const tcpProxy = make.tcpProxy({ statPrefix: sanitizeMetric(statName), clusterSpecifier: { case: 'cluster', value: cluster } });
  return make.filterChain({
    filterChainMatch: destinationPort === undefined ? undefined : make.filterChainMatch({ destinationPort }),
    filters: [typedFilter('envoy.filters.network.tcp_proxy', pack(TcpProxySchema, tcpProxy))],
  });
}

function outboundPassthroughListener(family: Family, port: number): Listener {
  const name = passthroughName('outbound', family.name);
  return make.listener({
    name,
    address: socketAddress(family.any, port),
    trafficDirection: TrafficDirection.OUTBOUND,
    useOriginalDst: true,
    filterChains: [tcpProxyChain(name, name)],
  });
}

function inboundPassthroughListener(family: Family, port: number, reusePort: boolean, strictPorts: readonly number[]): Listener {
  const name = passthroughName('inbound', family.name);
  // A proxy without inbounds (a delegated gateway) keeps the single catch-all chain.
  const filterChains =
    strictPorts.length === 0
      ? [tcpProxyChain(name, name)]
      : strictPorts.map((p) => tcpProxyChain(name, p === SERVICELESS_PORT ? NO_DESTINATION_INBOUND_CLUSTER : name, p));
  return make.listener({
    name,
    address: socketAddress(family.any, port),
    enableReusePort: reusePort,
    trafficDirection: TrafficDirection.INBOUND,
    useOriginalDst: true,
    filterChains,
  });
}

function originalDstCluster(name: string, sourceAddress?: string): Cluster {
  return make.cluster({
    name,
    altStatName: sanitizeMetric(name),
    clusterDiscoveryType: { case: 'type', value: Cluster_DiscoveryType.ORIGINAL_DST },
    lbPolicy: Cluster_LbPolicy.CLUSTER_PROVIDED,
    connectTimeout: seconds(CONNECT_TIMEOUT_SECONDS),
    upstreamBindConfig:
      sourceAddress === undefined
        ? undefined
        : make.bindConfig({ sourceAddress: make.socketAddress({ address: sourceAddress, portSpecifier: { case: 'portValue', value: 0 } }) }),
  });
}

const OUTBOUND_CLUSTERS: Record<IpFamily, Cluster> = {
  ipv4: originalDstCluster(passthroughName('outbound', 'ipv4')),
  ipv6: originalDstCluster(passthroughName('outbound', 'ipv6')),
};

const INBOUND_CLUSTERS: Record<IpFamily, Cluster> = {
  ipv4: originalDstCluster(passthroughName('inbound', 'ipv4'), IPV4.inboundSource),
  ipv6: originalDstCluster(passthroughName('inbound', 'ipv6'), IPV6.inboundSource),
};

const NO_DESTINATION_CLUSTER: Cluster = make.cluster({
  name: NO_DESTINATION_INBOUND_CLUSTER,
  altStatName: NO_DESTINATION_INBOUND_CLUSTER,
  clusterDiscoveryType: { case: 'type', value: Cluster_DiscoveryType.STATIC },
  connectTimeout: seconds(CONNECT_TIMEOUT_SECONDS),
});

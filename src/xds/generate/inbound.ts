/**
 * One listener and one local cluster per inbound (`pkg/xds/generator/inbound_proxy_generator.go`),
 * with Kuma's default inbound timeouts. With mesh mTLS the listener requires
 * the mesh's client certificates (STRICT) or also accepts plaintext and the
 * application's own TLS (PERMISSIVE); MeshTrafficPermission's RBAC guards
 * every chain that terminates mesh mTLS. The legacy inbound policies (fault
 * injection, rate limits) are not generated.
 */
import { isIP } from 'node:net';
import { Cluster_DiscoveryType, Cluster_DnsLookupFamily, type Cluster } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { TrafficDirection } from '../../../gen/envoy/config/core/v3/base_pb.js';
import type { Filter, FilterChain } from '../../../gen/envoy/config/listener/v3/listener_components_pb.js';
import type { Listener } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import {
  HttpConnectionManager_ForwardClientCertDetails,
  HttpConnectionManagerSchema,
} from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { TcpProxySchema } from '../../../gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy_pb.js';
import { inboundInterfaces, SERVICELESS_PORT, transparentProxyEnabled, type InboundInterface } from './dataplane-view.js';
import {
  filterMetadata,
  GRPC_STATS_FILTER,
  internalAddressConfig,
  make,
  pack,
  ROUTER_FILTER,
  seconds,
  socketAddress,
  TLS_INSPECTOR,
  typedFilter,
  UPSTREAM_HTTP_OPTIONS_KEY,
  upstreamHttpOptions,
} from './envoy-messages.js';
import { inboundRbac, type InboundRbac } from './inbound-rbac.js';
import type { MeshMtls } from './mesh-mtls.js';
import { contextualInboundName, inboundListenerName, inboundRouteName, localClusterName, sanitizeMetric } from './names.js';
import { isHttpBased, parseProtocol, type Protocol } from './protocol.js';
import type { ResourceCollector } from './resource-collector.js';
import { SERVICE_TAG } from './subset-cluster-name.js';
import { downstreamMeshTls, KUMA_ALPN } from './tls-contexts.js';
import type { InternalAddress, MeshSnapshot, Proxy } from './types.js';

// Kuma's DefaultInboundTimeout: twice the outbound defaults.
const CONNECT_TIMEOUT_SECONDS = 10;
const IDLE_TIMEOUT_SECONDS = 7200;
const STREAM_IDLE_TIMEOUT_SECONDS = 3600;

/** Source addresses that keep Envoy's own traffic to the app out of the inbound redirect. */
const PASSTHROUGH_SOURCE_IPV4 = '127.0.0.6';
const PASSTHROUGH_SOURCE_IPV6 = '::6';

const TAGS_HEADER = 'x-kuma-tags';

export interface InboundSettings {
  internalAddresses: readonly InternalAddress[];
  /** Undefined when the mesh has mTLS off. */
  mtls: MeshMtls | undefined;
}

export function generateInbounds(snapshot: MeshSnapshot, proxy: Proxy, settings: InboundSettings, out: ResourceCollector): void {
  const spec = proxy.dataplane.spec;
  const transparentProxy = transparentProxyEnabled(spec);
  const reusePort = proxy.metadata.features.includes('feature-reuse-port');
  for (const inbound of inboundInterfaces(spec)) {
    // Serviceless inbounds only exist to carry tags.
    if (inbound.dataplanePort === SERVICELESS_PORT) continue;
    const protocol = inboundProtocol(inbound.protocol);
    const clusterName = localClusterName(inbound.workloadPort);
    out.addCluster(localCluster(clusterName, inbound, protocol, transparentProxy));
    // Permissions only mean something when callers are identified by their certificates.
    const listener = { address: inbound.dataplaneIp, port: inbound.dataplanePort };
    const rbac = settings.mtls ? inboundRbac(snapshot, proxy.dataplane, inbound.tags, listener) : undefined;
    const inputs = { inbound, protocol, clusterName, internalAddresses: settings.internalAddresses, rbac };
    out.addListener(inboundListener(inputs, settings.mtls, transparentProxy, reusePort));
  }
}

/** Kuma fails the whole proxy on tls/mysql inbounds (no timeout rule for them); here they are plain TCP. */
function inboundProtocol(value: string): Protocol {
  const protocol = parseProtocol(value);
  return protocol === 'tls' || protocol === 'mysql' ? 'tcp' : protocol;
}

function localCluster(name: string, inbound: InboundInterface, protocol: Protocol, transparentProxy: boolean): Cluster {
  const isAddress = isIP(inbound.workloadIp) !== 0;
  const loopback = inbound.workloadIp === '127.0.0.1' || inbound.workloadIp === '::1';
  const http = isHttpBased(protocol);
  return make.cluster({
    name,
    altStatName: sanitizeMetric(name),
    clusterDiscoveryType: { case: 'type', value: isAddress ? Cluster_DiscoveryType.STATIC : Cluster_DiscoveryType.STRICT_DNS },
    dnsLookupFamily: isAddress ? Cluster_DnsLookupFamily.AUTO : Cluster_DnsLookupFamily.V4_ONLY,
    connectTimeout: seconds(CONNECT_TIMEOUT_SECONDS),
    loadAssignment: make.loadAssignment({
      clusterName: name,
      endpoints: [
        make.localityLbEndpoints({
          lbEndpoints: [
            make.lbEndpoint({
              hostIdentifier: { case: 'endpoint', value: make.endpoint({ address: socketAddress(inbound.workloadIp, inbound.workloadPort) }) },
            }),
          ],
        }),
      ],
    }),
    upstreamBindConfig:
      transparentProxy && !loopback
        ? make.bindConfig({
            sourceAddress: make.socketAddress({
              address: isIP(inbound.workloadIp) === 6 ? PASSTHROUGH_SOURCE_IPV6 : PASSTHROUGH_SOURCE_IPV4,
              portSpecifier: { case: 'portValue', value: 0 },
            }),
          })
        : undefined,
    typedExtensionProtocolOptions: http
      ? { [UPSTREAM_HTTP_OPTIONS_KEY]: upstreamHttpOptions(protocol !== 'http', seconds(IDLE_TIMEOUT_SECONDS)) }
      : {},
  });
}

/** What every filter chain of one inbound listener is built from. */
interface ChainInputs {
  inbound: InboundInterface;
  protocol: Protocol;
  clusterName: string;
  internalAddresses: readonly InternalAddress[];
  rbac: InboundRbac | undefined;
}

function inboundListener(inputs: ChainInputs, mtls: MeshMtls | undefined, transparentProxy: boolean, reusePort: boolean): Listener {
  const { inbound } = inputs;
  const name = inboundListenerName(inbound.dataplaneIp, inbound.dataplanePort);
  const hasTags = Object.keys(inbound.tags).length > 0;
  const permissive = mtls?.mode === 'PERMISSIVE';
  return make.listener({
    name,
    address: socketAddress(inbound.dataplaneIp, inbound.dataplanePort),
    enableReusePort: reusePort,
    trafficDirection: TrafficDirection.INBOUND,
    bindToPort: transparentProxy ? false : undefined,
    // Tag-less inbounds stay selectable through their contextual name.
    metadata: filterMetadata({
      'io.kuma.tags': hasTags ? inbound.tags : { 'kuma.io/unified-name': contextualInboundName(inbound.sectionName) },
    }),
    // PERMISSIVE tells the chains apart by transport protocol and ALPN.
    listenerFilters: permissive ? [TLS_INSPECTOR] : undefined,
    filterChains: filterChains(inputs, name, mtls),
  });
}

/**
 * mTLS off: one plain chain. STRICT: one chain requiring the mesh's client
 * certificates. PERMISSIVE: plaintext, then TLS that is not Kuma's (the
 * application's own, passed through), then Kuma's mTLS, told apart by its ALPN.
 */
function filterChains(inputs: ChainInputs, listenerName: string, mtls: MeshMtls | undefined): FilterChain[] {
  if (!mtls) return [make.filterChain({ filters: chainFilters(inputs, listenerName, undefined) })];
  const transportSocket = downstreamMeshTls(mtls.mesh);
  const guarded = chainFilters(inputs, listenerName, inputs.rbac);
  if (mtls.mode === 'STRICT') return [make.filterChain({ filters: guarded, transportSocket })];
  const open = chainFilters(inputs, listenerName, undefined);
  return [
    make.filterChain({ filterChainMatch: make.filterChainMatch({ transportProtocol: 'raw_buffer' }), filters: open }),
    make.filterChain({ filterChainMatch: make.filterChainMatch({ transportProtocol: 'tls' }), filters: open }),
    make.filterChain({
      filterChainMatch: make.filterChainMatch({ transportProtocol: 'tls', applicationProtocols: [KUMA_ALPN] }),
      filters: guarded,
      transportSocket,
    }),
  ];
}

function chainFilters(inputs: ChainInputs, listenerName: string, rbac: InboundRbac | undefined): Filter[] {
  if (isHttpBased(inputs.protocol)) return [httpConnectionManager(inputs, listenerName, rbac)];
  const tcp = tcpProxy(inputs.clusterName);
  // RBAC decides before any byte reaches the application.
  return rbac ? [rbac.networkFilter(listenerName), tcp] : [tcp];
}

function tcpProxy(clusterName: string): Filter {
  const tcpProxy = make.tcpProxy({
    statPrefix: sanitizeMetric(clusterName),
    clusterSpecifier: { case: 'cluster', value: clusterName },
    idleTimeout: seconds(IDLE_TIMEOUT_SECONDS),
  });
  return typedFilter('envoy.filters.network.tcp_proxy', pack(TcpProxySchema, tcpProxy));
}

function httpConnectionManager({ inbound, protocol, clusterName, internalAddresses }: ChainInputs, listenerName: string, rbac: InboundRbac | undefined): Filter {
  const service = inbound.tags[SERVICE_TAG] ?? '';
  // Without a service tag the route config and virtual host take the listener's name.
  const routeConfigName = service ? inboundRouteName(service) : listenerName;
  const virtualHostName = service || listenerName;
  const route = make.route({
    match: make.routeMatch({ pathSpecifier: { case: 'prefix', value: '/' } }),
    action: {
      case: 'route',
      value: make.routeAction({ clusterSpecifier: { case: 'cluster', value: clusterName }, timeout: seconds(0) }),
    },
  });
  const httpFilters = protocol === 'grpc' ? [GRPC_STATS_FILTER, ROUTER_FILTER] : [ROUTER_FILTER];
  const hcm = make.hcm({
    statPrefix: sanitizeMetric(clusterName),
    // RBAC goes first, as Kuma puts it.
    httpFilters: rbac ? [rbac.httpFilter(), ...httpFilters] : httpFilters,
    forwardClientCertDetails: HttpConnectionManager_ForwardClientCertDetails.SANITIZE_SET,
    setCurrentClientCertDetails: make.setCurrentClientCertDetails({ uri: true }),
    internalAddressConfig: internalAddressConfig(internalAddresses),
    commonHttpProtocolOptions: make.commonHttpProtocolOptions({ idleTimeout: seconds(IDLE_TIMEOUT_SECONDS) }),
    streamIdleTimeout: seconds(STREAM_IDLE_TIMEOUT_SECONDS),
    routeSpecifier: {
      case: 'routeConfig',
      value: make.routeConfiguration({
        name: routeConfigName,
        validateClusters: false,
        // Callers must not be able to spoof the source tags.
        requestHeadersToRemove: [TAGS_HEADER],
        virtualHosts: [make.virtualHost({ name: virtualHostName, domains: ['*'], routes: [route] })],
      }),
    },
  });
  return typedFilter('envoy.filters.network.http_connection_manager', pack(HttpConnectionManagerSchema, hcm));
}

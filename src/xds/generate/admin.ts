/**
 * Envoy admin API exposure (`pkg/xds/generator/admin_proxy_generator.go`): a
 * cluster to the admin API, one to kuma-dp's readiness reporter, and a listener
 * on the Dataplane's address serving `/ready`.
 *
 * Kuma also adds a second filter chain matching `tls` that serves the whole
 * admin API behind mTLS (client certificate SAN `kuma-cp`); that chain needs the
 * control plane's admin certificates and is not generated yet.
 */
import { Cluster_DiscoveryType, type Cluster } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { TrafficDirection } from '../../../gen/envoy/config/core/v3/base_pb.js';
import type { Listener } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { HttpConnectionManagerSchema } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { dataplaneAddress } from './dataplane-view.js';
import { internalAddressConfig, make, pack, ROUTER_FILTER, seconds, socketAddress, TLS_INSPECTOR, typedFilter } from './envoy-messages.js';
import { effectiveInternalAddresses } from './internal-addresses.js';
import { ENVOY_ADMIN_NAME, READINESS_CLUSTER_NAME, sanitizeMetric } from './names.js';
import type { ResourceCollector } from './resource-collector.js';
import type { Proxy } from './types.js';

const DEFAULT_READINESS_PORT = 9902;
const ALLOWED_ADMIN_ADDRESSES = ['', '0.0.0.0', '127.0.0.1', '::', '::1'];
const ADMIN_CONNECT_TIMEOUT_SECONDS = 5;

export class AdminConfigError extends Error {}

export function generateAdmin(proxy: Proxy, out: ResourceCollector): void {
  const { adminPort } = proxy.metadata;
  // Without an admin port Envoy has no admin API to expose.
  if (!adminPort) return;
  const readinessPort = proxy.metadata.readinessPort ?? DEFAULT_READINESS_PORT;
  if (readinessPort === 0) throw new AdminConfigError('ReadinessPort has to be in (0, 65535] range');

  // The admin address from metadata is not trusted beyond these loopback/any values.
  const configured = proxy.metadata.adminAddress ?? '';
  if (!ALLOWED_ADMIN_ADDRESSES.includes(configured)) {
    const allowed = ALLOWED_ADMIN_ADDRESSES.map((a) => JSON.stringify(a)).join(', ');
    throw new AdminConfigError(`envoy admin cluster is not allowed to have addresses other than ${allowed}`);
  }
  const adminAddress = configured === '' || configured === '0.0.0.0' ? '127.0.0.1' : configured === '::' ? '::1' : configured;

  out.addCluster(staticCluster(ENVOY_ADMIN_NAME, adminAddress, adminPort));
  out.addCluster(staticCluster(READINESS_CLUSTER_NAME, adminAddress, readinessPort));

  const listenAddress = dataplaneAddress(proxy.dataplane.spec);
  // Envoy already binds the admin API there; a second listener would clash.
  if (listenAddress === adminAddress) return;
  out.addListener(adminListener(listenAddress, adminPort, proxy.metadata.features.includes('feature-reuse-port'), proxy.metadata.ipv6Enabled ?? true));
}

function staticCluster(name: string, address: string, port: number): Cluster {
  return make.cluster({
    name,
    altStatName: sanitizeMetric(name),
    clusterDiscoveryType: { case: 'type', value: Cluster_DiscoveryType.STATIC },
    connectTimeout: seconds(ADMIN_CONNECT_TIMEOUT_SECONDS),
    loadAssignment: make.loadAssignment({
      clusterName: name,
      endpoints: [
        make.localityLbEndpoints({
          lbEndpoints: [make.lbEndpoint({ hostIdentifier: { case: 'endpoint', value: make.endpoint({ address: socketAddress(address, port) }) } })],
        }),
      ],
    }),
  });
}

function adminListener(address: string, port: number, reusePort: boolean, ipv6Enabled: boolean): Listener {
  const readyRoute = make.route({
    match: make.routeMatch({ pathSpecifier: { case: 'prefix', value: '/ready' } }),
    action: {
      case: 'route',
      value: make.routeAction({ clusterSpecifier: { case: 'cluster', value: READINESS_CLUSTER_NAME }, prefixRewrite: '/ready' }),
    },
  });
  const hcm = make.hcm({
    statPrefix: sanitizeMetric(ENVOY_ADMIN_NAME),
    httpFilters: [ROUTER_FILTER],
    routeSpecifier: {
      case: 'routeConfig',
      value: make.routeConfiguration({
        validateClusters: false,
        virtualHosts: [make.virtualHost({ name: ENVOY_ADMIN_NAME, domains: ['*'], routes: [readyRoute] })],
      }),
    },
    // Kuma uses loopback here whatever the configured internal CIDRs.
    internalAddressConfig: internalAddressConfig(effectiveInternalAddresses([], ipv6Enabled)),
  });
  return make.listener({
    name: ENVOY_ADMIN_NAME,
    address: socketAddress(address, port),
    enableReusePort: reusePort,
    trafficDirection: TrafficDirection.INBOUND,
    listenerFilters: [TLS_INSPECTOR],
    filterChains: [
      make.filterChain({
        filters: [typedFilter('envoy.filters.network.http_connection_manager', pack(HttpConnectionManagerSchema, hcm))],
      }),
    ],
  });
}

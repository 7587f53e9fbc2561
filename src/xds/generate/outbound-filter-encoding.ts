/**
 * Wire encoding of the two per-service outbound filters, written directly
 * instead of with `toBinary`. The reflective encoder walks every field of every
 * nested schema (a RouteAction alone has ~45), encodes each string through
 * TextEncoder and copies each nested message once per level; these filters are
 * encoded once per service, so for thousands of services that dominated
 * generation. Here the sizes are computed first and everything is written into
 * one buffer. Field numbers come from the schemas, the fixed parts are encoded
 * by protobuf-es, and tests check the bytes equal `toBinary`'s.
 */
import { Buffer } from 'node:buffer';
import { toBinary } from '@bufbuild/protobuf';
import { RouteConfigurationSchema } from '../../../gen/envoy/config/route/v3/route_pb.js';
import { RouteActionSchema, RouteMatchSchema, RouteSchema, VirtualHostSchema } from '../../../gen/envoy/config/route/v3/route_components_pb.js';
import { HttpConnectionManagerSchema } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { TcpProxySchema } from '../../../gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy_pb.js';
import { make, seconds } from './envoy-messages.js';
import { fieldSize, Out, stringFieldSize, tagOf } from './wire-writer.js';

const TAG = {
  hcmStatPrefix: tagOf(HttpConnectionManagerSchema.field.statPrefix.number),
  hcmRouteConfig: tagOf(HttpConnectionManagerSchema.field.routeConfig.number),
  routeConfigName: tagOf(RouteConfigurationSchema.field.name.number),
  routeConfigVirtualHosts: tagOf(RouteConfigurationSchema.field.virtualHosts.number),
  virtualHostName: tagOf(VirtualHostSchema.field.name.number),
  virtualHostDomains: tagOf(VirtualHostSchema.field.domains.number),
  virtualHostRoutes: tagOf(VirtualHostSchema.field.routes.number),
  routeMatch: tagOf(RouteSchema.field.match.number),
  routeRoute: tagOf(RouteSchema.field.route.number),
  routeName: tagOf(RouteSchema.field.name.number),
  actionCluster: tagOf(RouteActionSchema.field.cluster.number),
  tcpStatPrefix: tagOf(TcpProxySchema.field.statPrefix.number),
  tcpCluster: tagOf(TcpProxySchema.field.cluster.number),
};

// Parts of the default route that are the same for every service, encoded by protobuf-es.
const ROUTE_MATCH_ALL = toBinary(RouteMatchSchema, make.routeMatch({ pathSpecifier: { case: 'prefix', value: '/' } }));
const NO_TIMEOUT = toBinary(RouteActionSchema, make.routeAction({ timeout: seconds(0) }));
const VALIDATE_CLUSTERS_OFF = toBinary(RouteConfigurationSchema, make.routeConfiguration({ validateClusters: false }));
const ANY_DOMAIN = '*';

/** TcpProxy{statPrefix, cluster}. */
export function encodeTcpProxy(statPrefix: string, cluster: string): Uint8Array {
  const statPrefixLength = Buffer.byteLength(statPrefix);
  const clusterLength = Buffer.byteLength(cluster);
  const out = new Out(stringFieldSize(TAG.tcpStatPrefix, statPrefixLength) + stringFieldSize(TAG.tcpCluster, clusterLength, true));
  out.string(TAG.tcpStatPrefix, statPrefix, statPrefixLength);
  out.string(TAG.tcpCluster, cluster, clusterLength, true);
  return out.done();
}

export interface OutboundRouteNames {
  statPrefix: string;
  routeConfigName: string;
  virtualHostName: string;
  routeName: string;
  cluster: string;
}

/**
 * HttpConnectionManager{statPrefix, routeConfig{name, virtualHosts: [{name,
 * domains: ['*'], routes: [{match: prefix '/', route: {cluster, timeout: 0s}, name}]}],
 * validateClusters: false}}: the per-service part of an outbound HCM.
 */
export function encodeOutboundRouteHcm(names: OutboundRouteNames): Uint8Array {
  const len = {
    statPrefix: Buffer.byteLength(names.statPrefix),
    routeConfigName: Buffer.byteLength(names.routeConfigName),
    virtualHostName: Buffer.byteLength(names.virtualHostName),
    routeName: Buffer.byteLength(names.routeName),
    cluster: Buffer.byteLength(names.cluster),
  };
  // Sizes from the innermost message out.
  const action = stringFieldSize(TAG.actionCluster, len.cluster, true) + NO_TIMEOUT.length;
  const route =
    fieldSize(TAG.routeMatch, ROUTE_MATCH_ALL.length) + fieldSize(TAG.routeRoute, action) + stringFieldSize(TAG.routeName, len.routeName);
  const virtualHost =
    stringFieldSize(TAG.virtualHostName, len.virtualHostName) + fieldSize(TAG.virtualHostDomains, ANY_DOMAIN.length) + fieldSize(TAG.virtualHostRoutes, route);
  const routeConfig =
    stringFieldSize(TAG.routeConfigName, len.routeConfigName) + fieldSize(TAG.routeConfigVirtualHosts, virtualHost) + VALIDATE_CLUSTERS_OFF.length;
  const hcm = stringFieldSize(TAG.hcmStatPrefix, len.statPrefix) + fieldSize(TAG.hcmRouteConfig, routeConfig);

  // Written in field-number order at every level, as toBinary does.
  const out = new Out(hcm);
  out.string(TAG.hcmStatPrefix, names.statPrefix, len.statPrefix);
  out.header(TAG.hcmRouteConfig, routeConfig);
  out.string(TAG.routeConfigName, names.routeConfigName, len.routeConfigName);
  out.header(TAG.routeConfigVirtualHosts, virtualHost);
  out.string(TAG.virtualHostName, names.virtualHostName, len.virtualHostName);
  out.string(TAG.virtualHostDomains, ANY_DOMAIN, ANY_DOMAIN.length);
  out.header(TAG.virtualHostRoutes, route);
  out.bytes(TAG.routeMatch, ROUTE_MATCH_ALL);
  out.header(TAG.routeRoute, action);
  out.string(TAG.actionCluster, names.cluster, len.cluster, true);
  out.raw(NO_TIMEOUT);
  out.string(TAG.routeName, names.routeName, len.routeName);
  out.raw(VALIDATE_CLUSTERS_OFF);
  return out.done();
}

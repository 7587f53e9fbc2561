/** Message factories and the small Envoy building blocks every generator shares. */
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { anyPack, AnySchema, DurationSchema, type Any, type Duration } from '@bufbuild/protobuf/wkt';
import { ClusterSchema, Cluster_EdsClusterConfigSchema } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { AddressSchema, BindConfigSchema, CidrRangeSchema, SocketAddressSchema, type Address } from '../../../gen/envoy/config/core/v3/address_pb.js';
import { LocalitySchema, MetadataSchema, type Metadata } from '../../../gen/envoy/config/core/v3/base_pb.js';
import {
  AggregatedConfigSourceSchema,
  ApiVersion,
  ConfigSourceSchema,
  type ConfigSource,
} from '../../../gen/envoy/config/core/v3/config_source_pb.js';
import {
  Http1ProtocolOptionsSchema,
  Http2ProtocolOptionsSchema,
  HttpProtocolOptionsSchema as CommonHttpProtocolOptionsSchema,
} from '../../../gen/envoy/config/core/v3/protocol_pb.js';
import { ClusterLoadAssignmentSchema } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { EndpointSchema, LbEndpointSchema, LocalityLbEndpointsSchema } from '../../../gen/envoy/config/endpoint/v3/endpoint_components_pb.js';
import { ApiListenerSchema } from '../../../gen/envoy/config/listener/v3/api_listener_pb.js';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { FilterChainMatchSchema, FilterChainSchema, FilterSchema, ListenerFilterSchema, type Filter } from '../../../gen/envoy/config/listener/v3/listener_components_pb.js';
import { RouteConfigurationSchema } from '../../../gen/envoy/config/route/v3/route_pb.js';
import { RouteActionSchema, RouteMatchSchema, RouteSchema, VirtualHostSchema } from '../../../gen/envoy/config/route/v3/route_components_pb.js';
import { FilterConfigSchema as GrpcStatsSchema } from '../../../gen/envoy/extensions/filters/http/grpc_stats/v3/config_pb.js';
import { RouterSchema } from '../../../gen/envoy/extensions/filters/http/router/v3/router_pb.js';
import { TlsInspectorSchema } from '../../../gen/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector_pb.js';
import {
  HttpConnectionManagerSchema,
  HttpConnectionManager_InternalAddressConfigSchema,
  HttpConnectionManager_SetCurrentClientCertDetailsSchema,
  HttpFilterSchema,
  RdsSchema,
  type HttpFilter,
} from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { TcpProxySchema } from '../../../gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy_pb.js';
import {
  HttpProtocolOptionsSchema,
  HttpProtocolOptions_ExplicitHttpConfigSchema,
} from '../../../gen/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js';
import { messageFactory } from './message-factory.js';
import type { InternalAddress } from './types.js';

export const make = {
  listener: messageFactory(ListenerSchema),
  apiListener: messageFactory(ApiListenerSchema),
  filterChain: messageFactory(FilterChainSchema),
  filterChainMatch: messageFactory(FilterChainMatchSchema),
  filter: messageFactory(FilterSchema),
  listenerFilter: messageFactory(ListenerFilterSchema),
  address: messageFactory(AddressSchema),
  socketAddress: messageFactory(SocketAddressSchema),
  bindConfig: messageFactory(BindConfigSchema),
  metadata: messageFactory(MetadataSchema),
  locality: messageFactory(LocalitySchema),
  cluster: messageFactory(ClusterSchema),
  edsClusterConfig: messageFactory(Cluster_EdsClusterConfigSchema),
  loadAssignment: messageFactory(ClusterLoadAssignmentSchema),
  localityLbEndpoints: messageFactory(LocalityLbEndpointsSchema),
  lbEndpoint: messageFactory(LbEndpointSchema),
  endpoint: messageFactory(EndpointSchema),
  hcm: messageFactory(HttpConnectionManagerSchema),
  httpFilter: messageFactory(HttpFilterSchema),
  internalAddressConfig: messageFactory(HttpConnectionManager_InternalAddressConfigSchema),
  setCurrentClientCertDetails: messageFactory(HttpConnectionManager_SetCurrentClientCertDetailsSchema),
  rds: messageFactory(RdsSchema),
  cidrRange: messageFactory(CidrRangeSchema),
  routeConfiguration: messageFactory(RouteConfigurationSchema),
  virtualHost: messageFactory(VirtualHostSchema),
  route: messageFactory(RouteSchema),
  routeMatch: messageFactory(RouteMatchSchema),
  routeAction: messageFactory(RouteActionSchema),
  tcpProxy: messageFactory(TcpProxySchema),
  commonHttpProtocolOptions: messageFactory(CommonHttpProtocolOptionsSchema),
  upstreamHttpProtocolOptions: messageFactory(HttpProtocolOptionsSchema),
  explicitHttpConfig: messageFactory(HttpProtocolOptions_ExplicitHttpConfigSchema),
  duration: messageFactory(DurationSchema),
  configSource: messageFactory(ConfigSourceSchema),
  aggregatedConfigSource: messageFactory(AggregatedConfigSourceSchema),
  router: messageFactory(RouterSchema),
  grpcStats: messageFactory(GrpcStatsSchema),
  tlsInspector: messageFactory(TlsInspectorSchema),
  http1ProtocolOptions: messageFactory(Http1ProtocolOptionsSchema),
  http2ProtocolOptions: messageFactory(Http2ProtocolOptionsSchema),
};

export function pack<S extends DescMessage>(schema: S, message: MessageShape<S>): Any {
  return anyPack(schema, message);
}

const makeAny = messageFactory(AnySchema);

/**
 * An Any of `schema` from already encoded parts. Parsers merge concatenated
 * encodings of one message type, so a part shared by thousands of messages can
 * be encoded once and appended to each.
 */
export function packEncoded(schema: DescMessage, ...parts: Uint8Array[]): Any {
  let value = parts[0] ?? new Uint8Array();
  if (parts.length > 1) {
    value = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      value.set(part, offset);
      offset += part.length;
    }
  }
  return makeAny({ typeUrl: `type.googleapis.com/${schema.typeName}`, value });
}

export function seconds(value: number): Duration {
  return make.duration({ seconds: BigInt(value) });
}

export function socketAddress(address: string, port: number): Address {
  return make.address({
    address: { case: 'socketAddress', value: make.socketAddress({ address, portSpecifier: { case: 'portValue', value: port } }) },
  });
}

/** `{ads: {}, resourceApiVersion: V3}`: fetch over the same ADS stream. */
export const ADS_CONFIG_SOURCE: ConfigSource = make.configSource({
  configSourceSpecifier: { case: 'ads', value: make.aggregatedConfigSource() },
  resourceApiVersion: ApiVersion.V3,
});

/** Filter metadata with the given maps; keys sorted so equal input gives equal bytes. */
export function filterMetadata(entries: Record<string, Readonly<Record<string, string>>>): Metadata {
  const out: Record<string, Record<string, string>> = {};
  for (const key of Object.keys(entries).sort()) out[key] = sortedCopy(entries[key]);
  return make.metadata({ filterMetadata: out });
}

export function sortedCopy(map: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key];
  return out;
}

export function typedFilter(name: string, config: Any): Filter {
  return make.filter({ name, configType: { case: 'typedConfig', value: config } });
}

function typedHttpFilter(name: string, config: Any): HttpFilter {
  return make.httpFilter({ name, configType: { case: 'typedConfig', value: config } });
}

export const ROUTER_FILTER: HttpFilter = typedHttpFilter('envoy.filters.http.router', pack(RouterSchema, make.router()));

export const GRPC_STATS_FILTER: HttpFilter = typedHttpFilter(
  'envoy.filters.http.grpc_stats',
  pack(GrpcStatsSchema, make.grpcStats({ emitFilterState: true })),
);

export const TLS_INSPECTOR = make.listenerFilter({
  name: 'envoy.filters.listener.tls_inspector',
  configType: { case: 'typedConfig', value: pack(TlsInspectorSchema, make.tlsInspector()) },
});

export function internalAddressConfig(addresses: readonly InternalAddress[]) {
  return make.internalAddressConfig({
    cidrRanges: addresses.map((a) => make.cidrRange({ addressPrefix: a.addressPrefix, prefixLen: a.prefixLen })),
  });
}

export const UPSTREAM_HTTP_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** The upstream `HttpProtocolOptions` Kuma attaches to clusters, packed. */
export function upstreamHttpOptions(http2: boolean, idleTimeout?: Duration): Any {
  const explicit = make.explicitHttpConfig({
    protocolConfig: http2
      ? { case: 'http2ProtocolOptions', value: make.http2ProtocolOptions() }
      : { case: 'httpProtocolOptions', value: make.http1ProtocolOptions() },
  });
  return pack(
    HttpProtocolOptionsSchema,
    make.upstreamHttpProtocolOptions({
      commonHttpProtocolOptions: idleTimeout && make.commonHttpProtocolOptions({ idleTimeout }),
      upstreamProtocolOptions: { case: 'explicitHttpConfig', value: explicit },
    }),
  );
}

// Tests for the protoc-gen-validate checker. Each rule kind gets a passing and a failing case,
// on a real Envoy field wherever one carries that rule. Rule kinds no Envoy v3 field uses are
// tested on message types built at runtime from a FileDescriptorProto (see "Rule kinds Envoy
// does not use" below): string const/len/len_bytes/min_bytes/prefix/suffix/contains/not_contains/
// not_in and the well_known formats other than the header regexes; bytes const/len/pattern/
// prefix/suffix/contains/in/not_in/ip; numeric const/in/not_in and the sint/fixed/sfixed kinds;
// enum const/in; repeated between sizes; map max_pairs/no_sparse/non-string keys;
// duration const/in/not_in; every timestamp rule; any in/not_in; message skip; the disabled and
// ignored message options.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import {
  create,
  createFileRegistry,
  createRegistry,
  fromBinary,
  fromJson,
  setExtension,
  type DescFile,
  type DescMessage,
  type MessageInitShape,
  type Registry,
} from '@bufbuild/protobuf';
import {
  AnySchema,
  DescriptorProtoSchema,
  FieldDescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  MessageOptionsSchema,
  OneofDescriptorProtoSchema,
  OneofOptionsSchema,
  anyPack,
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from '@bufbuild/protobuf/wkt';
import { WireType } from '@bufbuild/protobuf/wire';
import {
  FieldRulesSchema,
  disabled,
  file_validate_validate,
  required as oneofRequired,
  rules,
} from '../../gen/validate/validate_pb.js';
import { ListenerSchema } from '../../gen/envoy/config/listener/v3/listener_pb.js';
import { FilterChainMatchSchema } from '../../gen/envoy/config/listener/v3/listener_components_pb.js';
import {
  ClusterSchema,
  Cluster_DiscoveryType,
  Cluster_LbPolicy,
  Cluster_LeastRequestLbConfigSchema,
  Cluster_PreconnectPolicySchema,
  Cluster_RingHashLbConfigSchema,
} from '../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { OutlierDetectionSchema } from '../../gen/envoy/config/cluster/v3/outlier_detection_pb.js';
import { ClusterLoadAssignmentSchema } from '../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { RouteConfigurationSchema } from '../../gen/envoy/config/route/v3/route_pb.js';
import {
  DirectResponseActionSchema,
  InternalRedirectPolicySchema,
  RouteMatchSchema,
  RouteSchema,
  VirtualHostSchema,
} from '../../gen/envoy/config/route/v3/route_components_pb.js';
import { HeaderValueSchema, KeyValueSchema, MetadataSchema, TrafficDirection } from '../../gen/envoy/config/core/v3/base_pb.js';
import { SocketAddressSchema } from '../../gen/envoy/config/core/v3/address_pb.js';
import { ApiVersion, RateLimitSettingsSchema } from '../../gen/envoy/config/core/v3/config_source_pb.js';
import { HealthCheckSchema, HealthStatus, HealthStatusSetSchema } from '../../gen/envoy/config/core/v3/health_check_pb.js';
import { HttpUriSchema } from '../../gen/envoy/config/core/v3/http_uri_pb.js';
import {
  QuicKeepAliveSettingsSchema,
  SchemeHeaderTransformationSchema,
  UpstreamHttpProtocolOptionsSchema,
} from '../../gen/envoy/config/core/v3/protocol_pb.js';
import { TypedExtensionConfigSchema } from '../../gen/envoy/config/core/v3/extension_pb.js';
import { UdpSocketConfigSchema } from '../../gen/envoy/config/core/v3/udp_socket_config_pb.js';
import { HistogramBucketSettingsSchema } from '../../gen/envoy/config/metrics/v3/stats_pb.js';
import { ThresholdTriggerSchema } from '../../gen/envoy/config/overload/v3/overload_pb.js';
import { PermissionSchema } from '../../gen/envoy/config/rbac/v3/rbac_pb.js';
import { OutputConfigSchema } from '../../gen/envoy/config/tap/v3/common_pb.js';
import { HttpGenericBodyMatch_GenericTextMatchSchema } from '../../gen/envoy/config/common/matcher/v3/matcher_pb.js';
import { HttpStatusSchema, StatusCode } from '../../gen/envoy/type/v3/http_status_pb.js';
import { HttpConnectionManagerSchema } from '../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { RouterSchema } from '../../gen/envoy/extensions/filters/http/router/v3/router_pb.js';
import { HttpProtocolOptionsSchema } from '../../gen/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js';
import { CustomHeaderConfigSchema } from '../../gen/envoy/extensions/http/original_ip_detection/custom_header/v3/custom_header_pb.js';
import { UriTemplateMatchConfigSchema } from '../../gen/envoy/extensions/path/match/uri_template/v3/uri_template_match_pb.js';
import { PreviousPrioritiesConfigSchema } from '../../gen/envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config_pb.js';
import { DownstreamConnectionsConfigSchema } from '../../gen/envoy/extensions/resource_monitors/downstream_connections/v3/downstream_connections_pb.js';
import { ClientSideWeightedRoundRobinSchema } from '../../gen/envoy/extensions/load_balancing_policies/client_side_weighted_round_robin/v3/client_side_weighted_round_robin_pb.js';
import { BucketIdSchema } from '../../gen/envoy/service/rate_limit_quota/v3/rlqs_pb.js';
import { file_envoy_extensions_filters_http_fault_v3_fault } from '../../gen/envoy/extensions/filters/http/fault/v3/fault_pb.js';
import { file_envoy_extensions_filters_http_grpc_stats_v3_config } from '../../gen/envoy/extensions/filters/http/grpc_stats/v3/config_pb.js';
import { file_envoy_extensions_filters_http_local_ratelimit_v3_local_rate_limit } from '../../gen/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit_pb.js';
import { file_envoy_extensions_filters_udp_dns_filter_v3_dns_filter } from '../../gen/envoy/extensions/filters/udp/dns_filter/v3/dns_filter_pb.js';
import { file_envoy_extensions_regex_engines_v3_google_re2 } from '../../gen/envoy/extensions/regex_engines/v3/google_re2_pb.js';
import { envoyRegistry } from '../../src/envoy/type-registry.js';
import { assertValid, checkMessage, InvalidResourceError } from '../../src/envoy/validate-rules.js';
import { conformanceFile } from '../helpers/conformance.js';

/** Violations as `path: message` lines, which keeps expectations readable. */
function lines(schema: DescMessage, init: unknown, registry?: Registry): string[] {
  const msg = create(schema, init as never);
  return checkMessage(schema, msg, registry ? { registry } : {}).map((v) => `${v.path}: ${v.message}`);
}

/** Only the violations at `path` or below it, for messages that are not otherwise complete. */
function linesAt(schema: DescMessage, init: unknown, path: string): string[] {
  return lines(schema, init).filter((l) => l.startsWith(`${path}:`) || l.startsWith(`${path}.`) || l.startsWith(`${path}[`));
}

interface EnvoyCase {
  rule: string;
  schema: DescMessage;
  path: string;
  ok: unknown[];
  bad: Array<[unknown, string | string[]]>;
}

const router = () => anyPack(RouterSchema, create(RouterSchema));

// One real Envoy field per rule kind. `bad` pairs a message with the violations expected at `path`.
const envoyCases: EnvoyCase[] = [
  {
    rule: 'message required (Route.match)',
    schema: RouteSchema,
    path: 'match',
    ok: [{ match: { pathSpecifier: { case: 'prefix', value: '/' } } }],
    bad: [[{}, 'match: value is required']],
  },
  {
    rule: 'oneof required (RouteMatch.path_specifier)',
    schema: RouteMatchSchema,
    path: 'path_specifier',
    ok: [{ pathSpecifier: { case: 'path', value: '/x' } }],
    bad: [[{}, 'path_specifier: value is required']],
  },
  {
    rule: 'string min_len (ClusterLoadAssignment.cluster_name)',
    schema: ClusterLoadAssignmentSchema,
    path: 'cluster_name',
    ok: [{ clusterName: 'backend' }, { clusterName: 'é' }],
    bad: [[{ clusterName: '' }, 'cluster_name: value length must be at least 1 runes']],
  },
  {
    rule: 'string min_len + max_len, counted in runes (UriTemplateMatchConfig.path_template)',
    schema: UriTemplateMatchConfigSchema,
    path: 'path_template',
    ok: [{ pathTemplate: 'é'.repeat(256) }, { pathTemplate: '😀'.repeat(256) }],
    bad: [
      [{ pathTemplate: 'é'.repeat(257) }, 'path_template: value length must be between 1 and 256 runes, inclusive'],
      [{ pathTemplate: '' }, 'path_template: value length must be between 1 and 256 runes, inclusive'],
    ],
  },
  {
    rule: 'string max_bytes, counted in UTF-8 bytes (KeyValue.key)',
    schema: KeyValueSchema,
    path: 'key',
    ok: [{ key: 'é'.repeat(8192) }],
    bad: [[{ key: 'é'.repeat(8193) }, 'key: value length must be at most 16384 bytes']],
  },
  {
    rule: 'string pattern (RouteMatch.path_separated_prefix)',
    schema: RouteMatchSchema,
    path: 'path_separated_prefix',
    ok: [{ pathSpecifier: { case: 'pathSeparatedPrefix', value: '/api' } }],
    bad: [[
      { pathSpecifier: { case: 'pathSeparatedPrefix', value: '/api/' } },
      'path_separated_prefix: value does not match regex pattern "^[^?#]+[^?#/]$"',
    ]],
  },
  {
    rule: 'string in (SchemeHeaderTransformation.scheme_to_overwrite)',
    schema: SchemeHeaderTransformationSchema,
    path: 'scheme_to_overwrite',
    ok: [{ transformation: { case: 'schemeToOverwrite', value: 'https' } }],
    bad: [[{ transformation: { case: 'schemeToOverwrite', value: 'ftp' } }, 'scheme_to_overwrite: value must be in list ["http", "https"]']],
  },
  {
    rule: 'well_known_regex HTTP_HEADER_NAME, strict (CustomHeaderConfig.header_name)',
    schema: CustomHeaderConfigSchema,
    path: 'header_name',
    ok: [{ headerName: 'x-real-ip' }, { headerName: ':authority' }],
    bad: [[{ headerName: 'x real ip' }, 'header_name: value must be a valid HTTP header name']],
  },
  {
    rule: 'well_known_regex HTTP_HEADER_NAME, not strict (HeaderValue.key)',
    schema: HeaderValueSchema,
    path: 'key',
    ok: [{ key: 'x real ip' }],
    bad: [[{ key: 'x-a\r\nx-b' }, 'key: value must be a valid HTTP header name']],
  },
  {
    rule: 'well_known_regex HTTP_HEADER_VALUE, not strict (HeaderValue.value)',
    schema: HeaderValueSchema,
    path: 'value',
    ok: [{ key: 'x', value: 'a\tb\u0001' }],
    bad: [[{ key: 'x', value: 'a\nb' }, 'value: value must be a valid HTTP header value']],
  },
  {
    rule: 'string ignore_empty (UpstreamHttpProtocolOptions.override_auto_sni_header)',
    schema: UpstreamHttpProtocolOptionsSchema,
    path: 'override_auto_sni_header',
    ok: [{ overrideAutoSniHeader: '' }, { overrideAutoSniHeader: ':authority' }],
    bad: [[{ overrideAutoSniHeader: 'bad name' }, 'override_auto_sni_header: value must be a valid HTTP header name']],
  },
  {
    rule: 'repeated min_items and string items (VirtualHost.domains)',
    schema: VirtualHostSchema,
    path: 'domains',
    ok: [{ domains: ['*'] }, { domains: ['a.example', 'b.example:8080'] }],
    bad: [
      [{ domains: [] }, 'domains: value must contain at least 1 item(s)'],
      [{ domains: ['ok', 'a\nb'] }, 'domains[1]: value must be a valid HTTP header value'],
    ],
  },
  {
    rule: 'repeated max_items (VirtualHost.request_headers_to_add)',
    schema: VirtualHostSchema,
    path: 'request_headers_to_add',
    ok: [{ requestHeadersToAdd: Array.from({ length: 1000 }, () => ({ header: { key: 'x' } })) }],
    bad: [[
      { requestHeadersToAdd: Array.from({ length: 1001 }, () => ({ header: { key: 'x' } })) },
      'request_headers_to_add: value must contain no more than 1000 item(s)',
    ]],
  },
  {
    rule: 'repeated min_items = max_items (tap OutputConfig.sinks)',
    schema: OutputConfigSchema,
    path: 'sinks',
    ok: [{ sinks: [{ outputSinkType: { case: 'streamingAdmin', value: {} } }] }],
    bad: [
      [{ sinks: [] }, 'sinks: value must contain exactly 1 item(s)'],
      [{ sinks: [{}, { outputSinkType: { case: 'streamingAdmin', value: {} } }] }, ['sinks: value must contain exactly 1 item(s)', 'sinks[0].output_sink_type: value is required']],
    ],
  },
  {
    rule: 'repeated unique (InternalRedirectPolicy.response_headers_to_copy)',
    schema: InternalRedirectPolicySchema,
    path: 'response_headers_to_copy',
    ok: [{ responseHeadersToCopy: ['x-a', 'x-b'] }],
    bad: [[{ responseHeadersToCopy: ['x-a', 'x-b', 'x-a'] }, 'response_headers_to_copy[2]: repeated value must contain unique items']],
  },
  {
    rule: 'repeated min_items, unique and double items (HistogramBucketSettings.buckets)',
    schema: HistogramBucketSettingsSchema,
    path: 'buckets',
    ok: [{ buckets: [0.5, 1, 10] }],
    bad: [
      [{ buckets: [] }, 'buckets: value must contain at least 1 item(s)'],
      [{ buckets: [0, 1] }, 'buckets[0]: value must be greater than 0'],
      [{ buckets: [1, 1] }, 'buckets[1]: repeated value must contain unique items'],
    ],
  },
  {
    rule: 'repeated uint32 items with a range (FilterChainMatch.source_ports)',
    schema: FilterChainMatchSchema,
    path: 'source_ports',
    ok: [{ sourcePorts: [1, 65535] }],
    bad: [[{ sourcePorts: [80, 0, 65536] }, [
      'source_ports[1]: value must be inside range [1, 65535]',
      'source_ports[2]: value must be inside range [1, 65535]',
    ]]],
  },
  {
    rule: 'repeated enum items defined_only (HealthStatusSet.statuses)',
    schema: HealthStatusSetSchema,
    path: 'statuses',
    ok: [{ statuses: [HealthStatus.HEALTHY, HealthStatus.DEGRADED] }],
    bad: [[{ statuses: [HealthStatus.HEALTHY, 42] }, 'statuses[1]: value must be one of the defined enum values']],
  },
  {
    rule: 'map keys (Metadata.filter_metadata)',
    schema: MetadataSchema,
    path: 'filter_metadata',
    ok: [{ filterMetadata: { 'envoy.lb': { zone: 'a' } } }],
    bad: [[{ filterMetadata: { '': { zone: 'a' } } }, 'filter_metadata[""]: invalid key: value length must be at least 1 runes']],
  },
  {
    rule: 'map min_pairs, keys and values (BucketId.bucket)',
    schema: BucketIdSchema,
    path: 'bucket',
    ok: [{ bucket: { name: 'x' } }],
    bad: [
      [{ bucket: {} }, 'bucket: value must contain at least 1 pair(s)'],
      [{ bucket: { name: '' } }, 'bucket["name"]: value length must be at least 1 runes'],
    ],
  },
  {
    rule: 'enum defined_only (Cluster.lb_policy)',
    schema: ClusterSchema,
    path: 'lb_policy',
    ok: [{ lbPolicy: Cluster_LbPolicy.MAGLEV }],
    bad: [[{ lbPolicy: 99 }, 'lb_policy: value must be one of the defined enum values']],
  },
  {
    rule: 'enum not_in (HttpStatus.code)',
    schema: HttpStatusSchema,
    path: 'code',
    ok: [{ code: StatusCode.OK }],
    bad: [[{ code: 0 }, 'code: value must not be in list [0]']],
  },
  {
    rule: 'uint32 lte in a oneof (SocketAddress.port_value)',
    schema: SocketAddressSchema,
    path: 'port_value',
    ok: [{ address: '127.0.0.1', portSpecifier: { case: 'portValue', value: 65535 } }],
    bad: [[{ address: '127.0.0.1', portSpecifier: { case: 'portValue', value: 65536 } }, 'port_value: value must be less than or equal to 65535']],
  },
  {
    rule: 'uint32 lt + gte (DirectResponseAction.status)',
    schema: DirectResponseActionSchema,
    path: 'status',
    ok: [{ status: 200 }, { status: 599 }],
    bad: [
      [{ status: 600 }, 'status: value must be inside range [200, 600)'],
      [{ status: 199 }, 'status: value must be inside range [200, 600)'],
    ],
  },
  {
    rule: 'UInt32Value wrapper lte (OutlierDetection.max_ejection_percent)',
    schema: OutlierDetectionSchema,
    path: 'max_ejection_percent',
    ok: [{}, { maxEjectionPercent: 100 }],
    bad: [[{ maxEjectionPercent: 101 }, 'max_ejection_percent: value must be less than or equal to 100']],
  },
  {
    rule: 'UInt32Value wrapper gte (Cluster.LeastRequestLbConfig.choice_count)',
    schema: Cluster_LeastRequestLbConfigSchema,
    path: 'choice_count',
    ok: [{ choiceCount: 2 }],
    bad: [[{ choiceCount: 1 }, 'choice_count: value must be greater than or equal to 2']],
  },
  {
    rule: 'UInt64Value wrapper lte (Cluster.RingHashLbConfig.minimum_ring_size)',
    schema: Cluster_RingHashLbConfigSchema,
    path: 'minimum_ring_size',
    ok: [{ minimumRingSize: 1024n }],
    bad: [[{ minimumRingSize: 8388609n }, 'minimum_ring_size: value must be less than or equal to 8388608']],
  },
  {
    rule: 'UInt64Value wrapper lt + gt (UdpSocketConfig.max_rx_datagram_size)',
    schema: UdpSocketConfigSchema,
    path: 'max_rx_datagram_size',
    ok: [{ maxRxDatagramSize: 1500n }],
    bad: [
      [{ maxRxDatagramSize: 0n }, 'max_rx_datagram_size: value must be inside range (0, 65536)'],
      [{ maxRxDatagramSize: 65536n }, 'max_rx_datagram_size: value must be inside range (0, 65536)'],
    ],
  },
  {
    rule: 'int32 gt (PreviousPrioritiesConfig.update_frequency)',
    schema: PreviousPrioritiesConfigSchema,
    path: 'update_frequency',
    ok: [{ updateFrequency: 1 }],
    bad: [[{ updateFrequency: -3 }, 'update_frequency: value must be greater than 0']],
  },
  {
    rule: 'int64 gt (DownstreamConnectionsConfig.max_active_downstream_connections)',
    schema: DownstreamConnectionsConfigSchema,
    path: 'max_active_downstream_connections',
    ok: [{ maxActiveDownstreamConnections: 1n }],
    bad: [[{ maxActiveDownstreamConnections: 0n }, 'max_active_downstream_connections: value must be greater than 0']],
  },
  {
    rule: 'double lte + gte (ThresholdTrigger.value)',
    schema: ThresholdTriggerSchema,
    path: 'value',
    ok: [{ value: 0 }, { value: 1 }],
    bad: [[{ value: 1.5 }, 'value: value must be inside range [0, 1]']],
  },
  {
    rule: 'DoubleValue wrapper lte + gte (Cluster.PreconnectPolicy.per_upstream_preconnect_ratio)',
    schema: Cluster_PreconnectPolicySchema,
    path: 'per_upstream_preconnect_ratio',
    ok: [{ perUpstreamPreconnectRatio: 1.5 }],
    bad: [[{ perUpstreamPreconnectRatio: 3.5 }, 'per_upstream_preconnect_ratio: value must be inside range [1, 3]']],
  },
  {
    rule: 'DoubleValue wrapper gt (RateLimitSettings.fill_rate)',
    schema: RateLimitSettingsSchema,
    path: 'fill_rate',
    ok: [{ fillRate: 0.5 }],
    bad: [[{ fillRate: 0 }, 'fill_rate: value must be greater than 0']],
  },
  {
    rule: 'FloatValue wrapper gte (ClientSideWeightedRoundRobin.error_utilization_penalty)',
    schema: ClientSideWeightedRoundRobinSchema,
    path: 'error_utilization_penalty',
    ok: [{ errorUtilizationPenalty: 0.5 }],
    bad: [[{ errorUtilizationPenalty: -1 }, 'error_utilization_penalty: value must be greater than or equal to 0']],
  },
  {
    rule: 'bool const (Permission.any)',
    schema: PermissionSchema,
    path: 'any',
    ok: [{ rule: { case: 'any', value: true } }],
    bad: [[{ rule: { case: 'any', value: false } }, 'any: value must equal true']],
  },
  {
    rule: 'bytes min_len (HttpGenericBodyMatch.GenericTextMatch.binary_match)',
    schema: HttpGenericBodyMatch_GenericTextMatchSchema,
    path: 'binary_match',
    ok: [{ rule: { case: 'binaryMatch', value: new Uint8Array([1]) } }],
    bad: [[{ rule: { case: 'binaryMatch', value: new Uint8Array() } }, 'binary_match: value length must be at least 1 bytes']],
  },
  {
    rule: 'bytes min_len + max_len (HeaderValue.raw_value)',
    schema: HeaderValueSchema,
    path: 'raw_value',
    ok: [{ key: 'x', rawValue: new Uint8Array(16384) }],
    bad: [[{ key: 'x', rawValue: new Uint8Array(16385) }, 'raw_value: value length must be between 0 and 16384 bytes, inclusive']],
  },
  {
    rule: 'duration gt (Cluster.connect_timeout)',
    schema: ClusterSchema,
    path: 'connect_timeout',
    ok: [{}, { connectTimeout: { seconds: 5n } }, { connectTimeout: { nanos: 1 } }],
    bad: [
      [{ connectTimeout: {} }, 'connect_timeout: value must be greater than 0s'],
      [{ connectTimeout: { seconds: 1n, nanos: -5 } }, 'connect_timeout: value is not a valid duration'],
    ],
  },
  {
    rule: 'duration required (HealthCheck.timeout)',
    schema: HealthCheckSchema,
    path: 'timeout',
    ok: [{ timeout: { seconds: 1n } }],
    bad: [[{}, 'timeout: value is required']],
  },
  {
    rule: 'duration lt + gte (HttpUri.timeout)',
    schema: HttpUriSchema,
    path: 'timeout',
    ok: [{ timeout: {} }, { timeout: { seconds: 4294967295n, nanos: 999999999 } }],
    bad: [[{ timeout: { seconds: 4294967296n } }, 'timeout: value must be inside range [0s, 4294967296s)']],
  },
  {
    rule: 'duration lte < gte, an exclusive range (QuicKeepAliveSettings.max_interval)',
    schema: QuicKeepAliveSettingsSchema,
    path: 'max_interval',
    ok: [{ maxInterval: {} }, { maxInterval: { seconds: 1n } }, { maxInterval: { seconds: 30n } }],
    bad: [[{ maxInterval: { nanos: 500_000_000 } }, 'max_interval: value must be outside range (0s, 1s)']],
  },
  {
    rule: 'any required (TypedExtensionConfig.typed_config)',
    schema: TypedExtensionConfigSchema,
    path: 'typed_config',
    ok: [{ name: 'envoy.filters.http.router', typedConfig: router() }],
    bad: [[{ name: 'envoy.filters.http.router' }, 'typed_config: value is required']],
  },
];

describe('rule kinds on real Envoy fields', () => {
  for (const c of envoyCases) {
    test(c.rule, () => {
      for (const ok of c.ok) assert.deepEqual(linesAt(c.schema, ok, c.path), [], `expected no violation for ${JSON.stringify(ok, bigintJson)}`);
      for (const [bad, want] of c.bad) assert.deepEqual(linesAt(c.schema, bad, c.path), Array.isArray(want) ? want : [want]);
    });
  }
});

function bigintJson(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v;
}

// ---------------------------------------------------------------------------------------------
// Realistic resources: an outbound Listener with HCM, its Cluster, endpoints and routes.

function hcm(statPrefix = 'backend') {
  return create(HttpConnectionManagerSchema, {
    statPrefix,
    routeSpecifier: {
      case: 'rds',
      value: { routeConfigName: 'outbound:backend', configSource: { configSourceSpecifier: { case: 'ads', value: {} }, resourceApiVersion: ApiVersion.V3 } },
    },
    httpFilters: [{ name: 'envoy.filters.http.router', configType: { case: 'typedConfig', value: router() } }],
    commonHttpProtocolOptions: { idleTimeout: { seconds: 3600n } },
  });
}

function outboundListener(manager = hcm()) {
  return create(ListenerSchema, {
    name: 'outbound:127.0.0.1:10001',
    address: { address: { case: 'socketAddress', value: { address: '127.0.0.1', portSpecifier: { case: 'portValue', value: 10001 } } } },
    trafficDirection: TrafficDirection.OUTBOUND,
    metadata: { filterMetadata: { 'io.kuma.tags': { 'kuma.io/service': 'backend' } } },
    filterChains: [{
      filters: [{
        name: 'envoy.filters.network.http_connection_manager',
        configType: { case: 'typedConfig', value: anyPack(HttpConnectionManagerSchema, manager) },
      }],
    }],
  });
}

function edsCluster() {
  return create(ClusterSchema, {
    name: 'backend',
    clusterDiscoveryType: { case: 'type', value: Cluster_DiscoveryType.EDS },
    edsClusterConfig: { edsConfig: { configSourceSpecifier: { case: 'ads', value: {} }, resourceApiVersion: ApiVersion.V3 } },
    connectTimeout: { seconds: 5n },
    lbPolicy: Cluster_LbPolicy.ROUND_ROBIN,
    typedExtensionProtocolOptions: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': anyPack(
        HttpProtocolOptionsSchema,
        create(HttpProtocolOptionsSchema, {
          upstreamProtocolOptions: { case: 'explicitHttpConfig', value: { protocolConfig: { case: 'http2ProtocolOptions', value: {} } } },
        }),
      ),
    },
  });
}

function loadAssignment() {
  return create(ClusterLoadAssignmentSchema, {
    clusterName: 'backend',
    endpoints: [{
      lbEndpoints: [{
        hostIdentifier: {
          case: 'endpoint',
          value: { address: { address: { case: 'socketAddress', value: { address: '192.168.0.4', portSpecifier: { case: 'portValue', value: 8084 } } } } },
        },
        loadBalancingWeight: 1,
        metadata: { filterMetadata: { 'envoy.lb': { region: 'us' } } },
      }],
    }],
  });
}

function routeConfiguration() {
  return create(RouteConfigurationSchema, {
    name: 'outbound:backend',
    validateClusters: false,
    requestHeadersToAdd: [{ header: { key: 'x-kuma-tags', value: '&kuma.io/service=web&' } }],
    virtualHosts: [{
      name: 'backend',
      domains: ['*'],
      routes: [{
        match: { pathSpecifier: { case: 'prefix', value: '/' } },
        action: { case: 'route', value: { clusterSpecifier: { case: 'cluster', value: 'backend' }, timeout: { seconds: 15n } } },
      }],
    }],
  });
}

describe('realistic resources', () => {
  test('an outbound Listener, Cluster, ClusterLoadAssignment and RouteConfiguration pass', () => {
    assert.deepEqual(checkMessage(ListenerSchema, outboundListener()), []);
    assert.deepEqual(checkMessage(ClusterSchema, edsCluster()), []);
    assert.deepEqual(checkMessage(ClusterLoadAssignmentSchema, loadAssignment()), []);
    assert.deepEqual(checkMessage(RouteConfigurationSchema, routeConfiguration()), []);
  });

  test('every violation in a broken Listener is reported, with full paths', () => {
    const l = outboundListener(hcm(''));
    l.filterChains[0].filters[0].name = '';
    l.address!.address = { case: 'socketAddress', value: create(SocketAddressSchema, { address: '', portSpecifier: { case: 'portValue', value: 70000 } }) };
    assert.deepEqual(checkMessage(ListenerSchema, l), [
      { path: 'address.socket_address.address', message: 'value length must be at least 1 runes' },
      { path: 'address.socket_address.port_value', message: 'value must be less than or equal to 65535' },
      { path: 'filter_chains[0].filters[0].name', message: 'value length must be at least 1 runes' },
      { path: 'filter_chains[0].filters[0].typed_config.stat_prefix', message: 'value length must be at least 1 runes' },
    ]);
  });

  test('an Any inside an Any inside a FilterChain filter is unpacked and checked', () => {
    const manager = hcm();
    manager.httpFilters[0].configType = {
      case: 'typedConfig',
      value: anyPack(RouterSchema, create(RouterSchema, { strictCheckHeaders: ['x-envoy-max-retries', 'x-nope'] })),
    };
    const v = checkMessage(ListenerSchema, outboundListener(manager));
    assert.equal(v.length, 1);
    assert.equal(v[0].path, 'filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.strict_check_headers[1]');
    assert.match(v[0].message, /^value must be in list \["x-envoy-upstream-rq-timeout-ms", /);
  });

  test('Any values of a map are unpacked and checked (Cluster.typed_extension_protocol_options)', () => {
    const c = edsCluster();
    c.typedExtensionProtocolOptions['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'] = anyPack(
      HttpProtocolOptionsSchema,
      create(HttpProtocolOptionsSchema),
    );
    assert.deepEqual(checkMessage(ClusterSchema, c), [{
      path: 'typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].upstream_protocol_options',
      message: 'value is required',
    }]);
  });

  test('an Any whose type is not in the registry is a violation, an empty one is not', () => {
    const l = outboundListener();
    const filter = l.filterChains[0].filters[0];
    filter.configType = { case: 'typedConfig', value: create(AnySchema, { typeUrl: 'type.googleapis.com/ferry.test.Nope', value: new Uint8Array([8, 1]) }) };
    assert.deepEqual(checkMessage(ListenerSchema, l), [{
      path: 'filter_chains[0].filters[0].typed_config',
      message: 'type URL "type.googleapis.com/ferry.test.Nope" is not a known message type',
    }]);
    filter.configType = { case: 'typedConfig', value: create(AnySchema) };
    assert.deepEqual(checkMessage(ListenerSchema, l), []);
    filter.configType = { case: 'typedConfig', value: create(AnySchema, { value: new Uint8Array([1]) }) };
    assert.deepEqual(checkMessage(ListenerSchema, l), [{ path: 'filter_chains[0].filters[0].typed_config', message: 'value has no type URL' }]);
  });

  test('an Any whose bytes do not decode is a violation', () => {
    const l = outboundListener();
    l.filterChains[0].filters[0].configType = {
      case: 'typedConfig',
      value: create(AnySchema, { typeUrl: `type.googleapis.com/${HttpConnectionManagerSchema.typeName}`, value: new Uint8Array([0x12, 0x05, 0x61]) }),
    };
    const v = checkMessage(ListenerSchema, l);
    assert.equal(v.length, 1);
    assert.equal(v[0].path, 'filter_chains[0].filters[0].typed_config');
    assert.match(v[0].message, /^value is not a valid envoy\.extensions\.filters\.network\.http_connection_manager\.v3\.HttpConnectionManager: /);
  });

  test('assertValid throws an InvalidResourceError listing every violation', () => {
    assert.doesNotThrow(() => assertValid(ListenerSchema, outboundListener(), 'Listener "outbound:127.0.0.1:10001"'));
    const l = outboundListener(hcm(''));
    l.filterChains[0].filters[0].name = '';
    assert.throws(
      () => assertValid(ListenerSchema, l, 'Listener "outbound:127.0.0.1:10001"'),
      (e: unknown) => {
        assert.ok(e instanceof InvalidResourceError);
        assert.equal(e.what, 'Listener "outbound:127.0.0.1:10001"');
        assert.equal(e.violations.length, 2);
        assert.equal(
          e.message,
          'Listener "outbound:127.0.0.1:10001" is invalid: filter_chains[0].filters[0].name: value length must be at least 1 runes; '
            + 'filter_chains[0].filters[0].typed_config.stat_prefix: value length must be at least 1 runes',
        );
        return true;
      },
    );
  });

  test('checking an outbound Listener with HCM takes microseconds', (t) => {
    const l = outboundListener();
    checkMessage(ListenerSchema, l);
    for (let i = 0; i < 200; i++) checkMessage(ListenerSchema, l);
    const n = 1000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) checkMessage(ListenerSchema, l);
    const micros = Number(process.hrtime.bigint() - start) / n / 1000;
    t.diagnostic(`checkMessage(Listener with HCM): ${micros.toFixed(1)} µs per call`);
    // A generous ceiling: it only catches losing the per-schema plan cache (milliseconds per call).
    assert.ok(micros < 1000, `${micros} µs per Listener check`);
  });
});

// ---------------------------------------------------------------------------------------------
// Kuma's own xDS goldens: what Kuma serves, Envoy accepts, so none of it may be flagged.

const goldenFiles = [
  'pkg/xds/generator/testdata/outbound-proxy/03.envoy.golden.yaml',
  'pkg/xds/generator/testdata/outbound-proxy/04.envoy.golden.yaml',
  'pkg/xds/generator/testdata/inbound-proxy/4-envoy-config.golden.yaml',
  'pkg/xds/generator/testdata/transparent-proxy/02.envoy.golden.yaml',
  'pkg/xds/generator/testdata/transparent-proxy/09.envoy.golden.yaml',
  'pkg/xds/generator/testdata/dns/1-envoy-config.golden.yaml',
  'pkg/xds/generator/testdata/dns/4-envoy-config.golden.yaml',
  'pkg/xds/generator/testdata/admin/01.envoy-config.golden.yaml',
  'pkg/plugins/policies/meshhttproute/plugin/v1alpha1/testdata/default-route-outbound-with-tags-with-mtls.listeners.golden.yaml',
  'pkg/plugins/policies/meshhttproute/plugin/v1alpha1/testdata/default-route-outbound-with-tags-with-mtls.clusters.golden.yaml',
  'pkg/plugins/policies/meshhttproute/plugin/v1alpha1/testdata/default-route-outbound-with-tags-with-mtls.endpoints.golden.yaml',
  'pkg/plugins/policies/meshtcproute/plugin/v1alpha1/testdata/basic-no-policies.listeners.golden.yaml',
  'pkg/plugins/policies/meshtcproute/plugin/v1alpha1/testdata/basic-no-policies.clusters.golden.yaml',
  'pkg/plugins/policies/meshtcproute/plugin/v1alpha1/testdata/basic-no-policies.endpoints.golden.yaml',
];

// Filters Kuma's goldens use that Ferry does not generate (yet), so they are not in envoyRegistry.
const goldenRegistry = createRegistry(
  envoyRegistry,
  file_envoy_extensions_filters_http_fault_v3_fault,
  file_envoy_extensions_filters_http_grpc_stats_v3_config,
  file_envoy_extensions_filters_http_local_ratelimit_v3_local_rate_limit,
  file_envoy_extensions_filters_udp_dns_filter_v3_dns_filter,
  file_envoy_extensions_regex_engines_v3_google_re2,
);

describe("Kuma's xDS goldens", () => {
  for (const file of goldenFiles) {
    test(file.split('/').slice(-2).join('/'), () => {
      const doc = parseYaml(conformanceFile(file)) as { resources: Array<{ name: string; resource: unknown }> };
      assert.ok(doc.resources.length > 0);
      for (const r of doc.resources) {
        const any = fromJson(AnySchema, r.resource as never, { registry: goldenRegistry });
        const schema = goldenRegistry.getMessage(any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1));
        assert.ok(schema, any.typeUrl);
        const msg = fromBinary(schema, any.value);
        assert.deepEqual(checkMessage(schema, msg, { registry: goldenRegistry }), [], r.name);
      }
    });
  }

  test('a broken golden Listener is caught', () => {
    const doc = parseYaml(conformanceFile(goldenFiles[1])) as { resources: Array<{ name: string; resource: unknown }> };
    const r = doc.resources.find((x) => x.name === 'outbound:127.0.0.1:40001')!;
    const any = fromJson(AnySchema, r.resource as never, { registry: goldenRegistry });
    const l = fromBinary(ListenerSchema, any.value);
    const json = JSON.stringify(r.resource).replace('"statPrefix":"api-http"', '"statPrefix":""');
    const broken = fromBinary(ListenerSchema, fromJson(AnySchema, JSON.parse(json), { registry: goldenRegistry }).value);
    assert.deepEqual(checkMessage(ListenerSchema, l, { registry: goldenRegistry }), []);
    assert.deepEqual(checkMessage(ListenerSchema, broken, { registry: goldenRegistry }), [
      { path: 'filter_chains[0].filters[0].typed_config.stat_prefix', message: 'value length must be at least 1 runes' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Rule kinds Envoy does not use, on message types built at runtime.

type Rules = MessageInitShape<typeof FieldRulesSchema>;
const T = FieldDescriptorProto_Type;

interface FieldSpec {
  type?: FieldDescriptorProto_Type;
  /** A sibling message's name, or a fully qualified `.google.protobuf.X`. */
  message?: string;
  /** The file's enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }. */
  enum?: boolean;
  repeated?: boolean;
  map?: { key: FieldDescriptorProto_Type; value: FieldDescriptorProto_Type; message?: string };
  rules?: Rules;
  oneof?: string;
  optional?: boolean;
}

interface MessageSpec {
  fields: Record<string, FieldSpec>;
  requiredOneofs?: string[];
  disabled?: boolean;
  ignored?: boolean;
}

const dependencies: Record<string, DescFile> = {
  'validate/validate.proto': file_validate_validate,
  'google/protobuf/any.proto': file_google_protobuf_any,
  'google/protobuf/duration.proto': file_google_protobuf_duration,
  'google/protobuf/timestamp.proto': file_google_protobuf_timestamp,
  'google/protobuf/wrappers.proto': file_google_protobuf_wrappers,
};

let filesBuilt = 0;

type MessageProto = MessageInitShape<typeof DescriptorProtoSchema>;
type FieldProto = MessageInitShape<typeof FieldDescriptorProtoSchema>;
type OneofProto = MessageInitShape<typeof OneofDescriptorProtoSchema>;

const { OPTIONAL, REPEATED } = FieldDescriptorProto_Label;

/** Builds proto3 message types with validate annotations, the way protoc would describe them. */
function buildTypes(specs: Record<string, MessageSpec>): Record<string, DescMessage> {
  const pkg = `ferry.test${++filesBuilt}`;
  const typeName = (n: string) => (n.startsWith('.') ? n : `.${pkg}.${n}`);

  const messageProto = (name: string, spec: MessageSpec): MessageProto => {
    const realOneofs = [...new Set(Object.values(spec.fields).flatMap((f) => (f.oneof ? [f.oneof] : [])))];
    const oneofDecl: OneofProto[] = realOneofs.map((o) => {
      if (!spec.requiredOneofs?.includes(o)) return { name: o };
      const options = create(OneofOptionsSchema);
      setExtension(options, oneofRequired, true);
      return { name: o, options };
    });
    const nestedType: MessageProto[] = [];
    const field = Object.entries(spec.fields).map(([fname, f], i): FieldProto => {
      const proto: FieldProto = {
        name: fname,
        number: i + 1,
        label: f.repeated || f.map ? REPEATED : OPTIONAL,
        type: f.message ? T.MESSAGE : f.enum ? T.ENUM : f.type,
        typeName: f.message ? typeName(f.message) : f.enum ? typeName('Color') : undefined,
      };
      if (f.rules) {
        proto.options = create(FieldOptionsSchema);
        setExtension(proto.options, rules, create(FieldRulesSchema, f.rules));
      }
      if (f.oneof) proto.oneofIndex = realOneofs.indexOf(f.oneof);
      if (f.optional) {
        // proto3 `optional` is a synthetic oneof, declared after the real ones.
        proto.proto3Optional = true;
        proto.oneofIndex = oneofDecl.length;
        oneofDecl.push({ name: `_${fname}` });
      }
      if (f.map) {
        const entry = `${fname[0].toUpperCase()}${fname.slice(1)}Entry`;
        nestedType.push({
          name: entry,
          options: { mapEntry: true },
          field: [
            { name: 'key', number: 1, label: OPTIONAL, type: f.map.key },
            {
              name: 'value', number: 2, label: OPTIONAL,
              type: f.map.message ? T.MESSAGE : f.map.value,
              typeName: f.map.message ? typeName(f.map.message) : undefined,
            },
          ],
        });
        proto.type = T.MESSAGE;
        proto.typeName = `.${pkg}.${name}.${entry}`;
      }
      return proto;
    });
    const message: MessageProto = { name, field, oneofDecl, nestedType };
    if (spec.disabled || spec.ignored) {
      const options = create(MessageOptionsSchema);
      if (spec.disabled) setExtension(options, disabled, true);
      // (validate.ignored) = 1072 is newer than the validate.proto we generate from: written as the raw option.
      if (spec.ignored) options.$unknown = [{ no: 1072, wireType: WireType.Varint, data: new Uint8Array([1]) }];
      message.options = options;
    }
    return message;
  };

  const file = create(FileDescriptorProtoSchema, {
    name: `${pkg.replace(/\./g, '/')}.proto`,
    package: pkg,
    syntax: 'proto3',
    dependency: Object.keys(dependencies),
    messageType: Object.entries(specs).map(([name, spec]) => messageProto(name, spec)),
    enumType: [{ name: 'Color', value: [{ name: 'COLOR_UNSPECIFIED', number: 0 }, { name: 'RED', number: 1 }, { name: 'GREEN', number: 2 }] }],
  });
  const registry = createFileRegistry(file, (name) => dependencies[name]);
  return Object.fromEntries(Object.keys(specs).map((n) => [n, registry.getMessage(`${pkg}.${n}`)!]));
}

/** A message type with one field `v` of the given type and rules. */
function single(field: FieldSpec): DescMessage {
  return buildTypes({ M: { fields: { v: field } } }).M;
}

interface KindCase {
  rule: string;
  field: FieldSpec;
  ok: unknown[];
  bad: Array<[unknown, string]>;
}

type RulesOf<K extends string> = Extract<NonNullable<Rules['type']>, { case: K }>['value'];
const str = (r: RulesOf<'string'>): FieldSpec => ({ type: T.STRING, rules: { type: { case: 'string', value: r } } });
const bytes = (r: RulesOf<'bytes'>): FieldSpec => ({ type: T.BYTES, rules: { type: { case: 'bytes', value: r } } });
const u8 = (...b: number[]) => new Uint8Array(b);

const constructedCases: KindCase[] = [
  { rule: 'string const', field: str({ const: 'abc' }), ok: ['abc'], bad: [['abd', 'v: value must equal "abc"']] },
  { rule: 'string len', field: str({ len: 3n }), ok: ['abc', 'é😀x'], bad: [['ab', 'v: value length must be 3 runes']] },
  { rule: 'string min_len = max_len', field: str({ minLen: 2n, maxLen: 2n }), ok: ['ab'], bad: [['abc', 'v: value length must be 2 runes']] },
  { rule: 'string max_len', field: str({ maxLen: 2n }), ok: ['😀😀'], bad: [['abc', 'v: value length must be at most 2 runes']] },
  { rule: 'string len_bytes', field: str({ lenBytes: 2n }), ok: ['é'], bad: [['ab c', 'v: value length must be 2 bytes']] },
  { rule: 'string min_bytes', field: str({ minBytes: 2n }), ok: ['é'], bad: [['a', 'v: value length must be at least 2 bytes']] },
  { rule: 'string min_bytes + max_bytes', field: str({ minBytes: 2n, maxBytes: 3n }), ok: ['ab', 'abc'], bad: [['ab😀', 'v: value length must be between 2 and 3 bytes, inclusive']] },
  { rule: 'string prefix', field: str({ prefix: 'kuma.' }), ok: ['kuma.io'], bad: [['io.kuma', 'v: value does not have prefix "kuma."']] },
  { rule: 'string suffix', field: str({ suffix: '.mesh' }), ok: ['a.mesh'], bad: [['a.mesh.x', 'v: value does not have suffix ".mesh"']] },
  { rule: 'string contains', field: str({ contains: ':' }), ok: ['a:b'], bad: [['ab', 'v: value does not contain substring ":"']] },
  { rule: 'string not_contains', field: str({ notContains: '..' }), ok: ['a.b'], bad: [['a..b', 'v: value contains substring ".."']] },
  { rule: 'string not_in', field: str({ notIn: ['a', 'b'] }), ok: ['c'], bad: [['b', 'v: value must not be in list ["a", "b"]']] },
  { rule: 'string pattern with an RE2 flag group', field: str({ pattern: '(?i)^abc$' }), ok: ['ABC'], bad: [['abcd', 'v: value does not match regex pattern "(?i)^abc$"']] },
  { rule: 'string pattern with NUL, CR and LF escapes', field: str({ pattern: '^[^\\x00\\n\\r]*$' }), ok: ['a b\t'], bad: [['a\u0000b', 'v: value does not match regex pattern "^[^\\\\x00\\\\n\\\\r]*$"']] },
  {
    rule: 'string hostname',
    field: str({ wellKnown: { case: 'hostname', value: true } }),
    ok: ['backend.mesh', 'a-b.example.com.', 'localhost'],
    bad: [['-a.example', 'v: value must be a valid hostname'], ['a..b', 'v: value must be a valid hostname'], ['', 'v: value must be a valid hostname']],
  },
  {
    rule: 'string ip',
    field: str({ wellKnown: { case: 'ip', value: true } }),
    ok: ['10.0.0.1', '::1', 'fd00::1:2'],
    bad: [['10.0.0.256', 'v: value must be a valid IP address'], ['fe80::1%eth0', 'v: value must be a valid IP address']],
  },
  {
    rule: 'string ipv4',
    field: str({ wellKnown: { case: 'ipv4', value: true } }),
    ok: ['127.0.0.1'],
    bad: [['::1', 'v: value must be a valid IPv4 address'], ['01.2.3.4', 'v: value must be a valid IPv4 address']],
  },
  {
    rule: 'string ipv6',
    field: str({ wellKnown: { case: 'ipv6', value: true } }),
    ok: ['::ffff:10.0.0.1', '2001:db8::1'],
    bad: [['10.0.0.1', 'v: value must be a valid IPv6 address'], ['[::1]', 'v: value must be a valid IPv6 address']],
  },
  {
    rule: 'string address',
    field: str({ wellKnown: { case: 'address', value: true } }),
    ok: ['backend.mesh', '10.0.0.1', '::1'],
    bad: [['bad host', 'v: value must be a valid hostname, or ip address']],
  },
  {
    rule: 'string email',
    field: str({ wellKnown: { case: 'email', value: true } }),
    ok: ['ops@example.com', 'Ops Team <ops@example.com>'],
    bad: [['ops@', 'v: value must be a valid email address'], ['ops.example.com', 'v: value must be a valid email address']],
  },
  {
    rule: 'string uri',
    field: str({ wellKnown: { case: 'uri', value: true } }),
    ok: ['https://example.com:8443/a?b=%zz#c', 'spiffe://default/backend'],
    bad: [['/relative/path', 'v: value must be absolute'], ['http://exa mple.com/', 'v: value must be a valid URI'], ['http://x/%zz', 'v: value must be a valid URI']],
  },
  {
    rule: 'string uri_ref',
    field: str({ wellKnown: { case: 'uriRef', value: true } }),
    ok: ['/relative/path?x=1', 'https://example.com'],
    bad: [['1a:b/c', 'v: value must be a valid URI'], ['x\ny', 'v: value must be a valid URI']],
  },
  {
    rule: 'string uuid',
    field: str({ wellKnown: { case: 'uuid', value: true } }),
    ok: ['123e4567-e89b-12d3-a456-426614174000'],
    bad: [['123e4567e89b12d3a456426614174000', 'v: value must be a valid UUID']],
  },
  {
    rule: 'string HTTP_HEADER_VALUE, strict',
    field: str({ wellKnown: { case: 'wellKnownRegex', value: 2 } }),
    ok: ['a\tb', ''],
    bad: [['a\u0001b', 'v: value must be a valid HTTP header value']],
  },
  { rule: 'bytes const', field: bytes({ const: u8(1, 2) }), ok: [u8(1, 2)], bad: [[u8(1), 'v: value must equal 0x0102']] },
  { rule: 'bytes len', field: bytes({ len: 2n }), ok: [u8(0, 0)], bad: [[u8(0, 0, 0), 'v: value length must be 2 bytes']] },
  { rule: 'bytes max_len', field: bytes({ maxLen: 1n }), ok: [u8(9)], bad: [[u8(9, 9), 'v: value length must be at most 1 bytes']] },
  { rule: 'bytes pattern', field: bytes({ pattern: '^ab+$' }), ok: [u8(97, 98, 98)], bad: [[u8(97), 'v: value does not match regex pattern "^ab+$"']] },
  { rule: 'bytes prefix', field: bytes({ prefix: u8(1) }), ok: [u8(1, 2)], bad: [[u8(2, 1), 'v: value does not have prefix 0x01']] },
  { rule: 'bytes suffix', field: bytes({ suffix: u8(2) }), ok: [u8(1, 2)], bad: [[u8(2, 1), 'v: value does not have suffix 0x02']] },
  { rule: 'bytes contains', field: bytes({ contains: u8(3, 4) }), ok: [u8(1, 3, 4, 5)], bad: [[u8(3, 5, 4), 'v: value does not contain 0x0304']] },
  { rule: 'bytes in', field: bytes({ in: [u8(1), u8(2)] }), ok: [u8(2)], bad: [[u8(3), 'v: value must be in list [0x01, 0x02]']] },
  { rule: 'bytes not_in', field: bytes({ notIn: [u8(1)] }), ok: [u8(2)], bad: [[u8(1), 'v: value must not be in list [0x01]']] },
  { rule: 'bytes ip', field: bytes({ wellKnown: { case: 'ip', value: true } }), ok: [u8(10, 0, 0, 1), new Uint8Array(16)], bad: [[u8(1, 2), 'v: value must be a valid IP address']] },
  { rule: 'bytes ipv4', field: bytes({ wellKnown: { case: 'ipv4', value: true } }), ok: [u8(10, 0, 0, 1)], bad: [[new Uint8Array(16), 'v: value must be a valid IPv4 address']] },
  { rule: 'bytes ipv6', field: bytes({ wellKnown: { case: 'ipv6', value: true } }), ok: [new Uint8Array(16)], bad: [[u8(10, 0, 0, 1), 'v: value must be a valid IPv6 address']] },
  { rule: 'int32 const', field: { type: T.INT32, rules: { type: { case: 'int32', value: { const: 7 } } } }, ok: [7], bad: [[8, 'v: value must equal 7']] },
  { rule: 'int32 in', field: { type: T.INT32, rules: { type: { case: 'int32', value: { in: [1, 2] } } } }, ok: [2], bad: [[3, 'v: value must be in list [1, 2]']] },
  { rule: 'int32 not_in', field: { type: T.INT32, rules: { type: { case: 'int32', value: { notIn: [0] } } } }, ok: [1], bad: [[0, 'v: value must not be in list [0]']] },
  { rule: 'int32 lt < gt, an exclusive range', field: { type: T.INT32, rules: { type: { case: 'int32', value: { lt: 0, gt: 10 } } } }, ok: [-1, 11], bad: [[5, 'v: value must be outside range [0, 10]']] },
  { rule: 'int32 lt < gte', field: { type: T.INT32, rules: { type: { case: 'int32', value: { lt: 0, gte: 10 } } } }, ok: [-1, 10], bad: [[9, 'v: value must be outside range [0, 10)']] },
  { rule: 'int32 lte < gt', field: { type: T.INT32, rules: { type: { case: 'int32', value: { lte: 0, gt: 10 } } } }, ok: [0, 11], bad: [[10, 'v: value must be outside range (0, 10]']] },
  { rule: 'int32 lt', field: { type: T.INT32, rules: { type: { case: 'int32', value: { lt: 5 } } } }, ok: [4], bad: [[5, 'v: value must be less than 5']] },
  { rule: 'int32 gt + lte', field: { type: T.INT32, rules: { type: { case: 'int32', value: { gt: 0, lte: 5 } } } }, ok: [5], bad: [[0, 'v: value must be inside range (0, 5]']] },
  { rule: 'int64 in', field: { type: T.INT64, rules: { type: { case: 'int64', value: { in: [5n] } } } }, ok: [5n], bad: [[6n, 'v: value must be in list [5]']] },
  { rule: 'uint64 const', field: { type: T.UINT64, rules: { type: { case: 'uint64', value: { const: 18446744073709551615n } } } }, ok: [18446744073709551615n], bad: [[1n, 'v: value must equal 18446744073709551615']] },
  { rule: 'uint32 in', field: { type: T.UINT32, rules: { type: { case: 'uint32', value: { in: [80, 443] } } } }, ok: [443], bad: [[8080, 'v: value must be in list [80, 443]']] },
  { rule: 'sint32 gte', field: { type: T.SINT32, rules: { type: { case: 'sint32', value: { gte: -5 } } } }, ok: [-5], bad: [[-6, 'v: value must be greater than or equal to -5']] },
  { rule: 'sint64 lt', field: { type: T.SINT64, rules: { type: { case: 'sint64', value: { lt: -1n } } } }, ok: [-2n], bad: [[-1n, 'v: value must be less than -1']] },
  { rule: 'fixed32 lte', field: { type: T.FIXED32, rules: { type: { case: 'fixed32', value: { lte: 9 } } } }, ok: [9], bad: [[10, 'v: value must be less than or equal to 9']] },
  { rule: 'fixed64 not_in', field: { type: T.FIXED64, rules: { type: { case: 'fixed64', value: { notIn: [3n] } } } }, ok: [4n], bad: [[3n, 'v: value must not be in list [3]']] },
  { rule: 'sfixed32 const', field: { type: T.SFIXED32, rules: { type: { case: 'sfixed32', value: { const: -1 } } } }, ok: [-1], bad: [[1, 'v: value must equal -1']] },
  { rule: 'sfixed64 gt', field: { type: T.SFIXED64, rules: { type: { case: 'sfixed64', value: { gt: 0n } } } }, ok: [1n], bad: [[0n, 'v: value must be greater than 0']] },
  { rule: 'float const, compared as float32', field: { type: T.FLOAT, rules: { type: { case: 'float', value: { const: 0.1 } } } }, ok: [0.1], bad: [[0.2, 'v: value must equal 0.10000000149011612']] },
  { rule: 'float lt', field: { type: T.FLOAT, rules: { type: { case: 'float', value: { lt: 1.5 } } } }, ok: [1], bad: [[1.5, 'v: value must be less than 1.5']] },
  { rule: 'double const', field: { type: T.DOUBLE, rules: { type: { case: 'double', value: { const: 0.25 } } } }, ok: [0.25], bad: [[0.5, 'v: value must equal 0.25']] },
  { rule: 'bool const false', field: { type: T.BOOL, rules: { type: { case: 'bool', value: { const: false } } } }, ok: [false], bad: [[true, 'v: value must equal false']] },
  {
    rule: 'StringValue wrapper with string rules',
    field: { message: '.google.protobuf.StringValue', rules: { type: { case: 'string', value: { minLen: 2n } } } },
    ok: [undefined, 'ab'],
    bad: [['a', 'v: value length must be at least 2 runes']],
  },
  {
    rule: 'BoolValue wrapper with message required',
    field: { message: '.google.protobuf.BoolValue', rules: { message: { required: true } } },
    ok: [false, true],
    bad: [[undefined, 'v: value is required']],
  },
  {
    rule: 'duration const',
    field: { message: '.google.protobuf.Duration', rules: { type: { case: 'duration', value: { const: { seconds: 1n, nanos: 500_000_000 } } } } },
    ok: [{ seconds: 1n, nanos: 500_000_000 }],
    bad: [[{ seconds: 1n }, 'v: value must equal 1.500s']],
  },
  {
    rule: 'duration in',
    field: { message: '.google.protobuf.Duration', rules: { type: { case: 'duration', value: { in: [{ seconds: 1n }, { nanos: 1000 }] } } } },
    ok: [{ nanos: 1000 }],
    bad: [[{ seconds: 2n }, 'v: value must be in list [1s, 0.000001s]']],
  },
  {
    rule: 'duration not_in',
    field: { message: '.google.protobuf.Duration', rules: { type: { case: 'duration', value: { notIn: [{}] } } } },
    ok: [{ seconds: -1n }],
    bad: [[{}, 'v: value must not be in list [0s]']],
  },
  {
    rule: 'duration lte',
    field: { message: '.google.protobuf.Duration', rules: { type: { case: 'duration', value: { lte: { seconds: 60n } } } } },
    ok: [{ seconds: 60n }],
    bad: [[{ seconds: 60n, nanos: 1 }, 'v: value must be less than or equal to 60s']],
  },
  {
    rule: 'timestamp required',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { required: true } } } },
    ok: [{ seconds: 1n }],
    bad: [[undefined, 'v: value is required']],
  },
  {
    rule: 'timestamp lt',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { lt: { seconds: 1_700_000_000n } } } } },
    ok: [{ seconds: 1_699_999_999n }],
    bad: [[{ seconds: 1_700_000_000n }, 'v: value must be less than 2023-11-14T22:13:20Z']],
  },
  {
    rule: 'timestamp gt',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { gt: { seconds: 0n } } } } },
    ok: [{ nanos: 1 }],
    bad: [[{}, 'v: value must be greater than 1970-01-01T00:00:00Z']],
  },
  {
    rule: 'timestamp gte + lte',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { gte: { seconds: 0n }, lte: { seconds: 10n } } } } },
    ok: [{ seconds: 10n }],
    bad: [[{ seconds: 10n, nanos: 500_000_000 }, 'v: value must be inside range [1970-01-01T00:00:00Z, 1970-01-01T00:00:10Z]']],
  },
  {
    rule: 'timestamp const',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { const: { seconds: 5n } } } } },
    ok: [{ seconds: 5n }],
    bad: [[{ seconds: 6n }, 'v: value must equal 1970-01-01T00:00:05Z']],
  },
  {
    rule: 'timestamp lt_now',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { ltNow: true } } } },
    ok: [{ seconds: 1n }],
    bad: [[{ seconds: 253_402_300_000n }, 'v: value must be less than now']],
  },
  {
    rule: 'timestamp gt_now',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { gtNow: true } } } },
    ok: [{ seconds: 253_402_300_000n }],
    bad: [[{ seconds: 1n }, 'v: value must be greater than now']],
  },
  {
    rule: 'timestamp within',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { within: { seconds: 3600n } } } } },
    ok: [{ seconds: BigInt(Math.floor(Date.now() / 1000)) }],
    bad: [[{ seconds: 1n }, 'v: value must be within 3600s of now']],
  },
  {
    rule: 'timestamp validity',
    field: { message: '.google.protobuf.Timestamp', rules: { type: { case: 'timestamp', value: { gt: { seconds: 0n } } } } },
    ok: [{ seconds: 1n, nanos: 999_999_999 }],
    bad: [[{ seconds: 1n, nanos: -1 }, 'v: value is not a valid timestamp']],
  },
  {
    rule: 'any in',
    field: { message: '.google.protobuf.Any', rules: { type: { case: 'any', value: { in: ['type.googleapis.com/google.protobuf.Duration'] } } } },
    ok: [{ typeUrl: 'type.googleapis.com/google.protobuf.Duration' }],
    bad: [[{ typeUrl: 'type.googleapis.com/google.protobuf.Timestamp' }, 'v: type URL must be in list ["type.googleapis.com/google.protobuf.Duration"]']],
  },
  {
    rule: 'any not_in',
    field: { message: '.google.protobuf.Any', rules: { type: { case: 'any', value: { notIn: ['type.googleapis.com/google.protobuf.Duration'] } } } },
    ok: [{ typeUrl: 'type.googleapis.com/google.protobuf.Timestamp' }],
    bad: [[{ typeUrl: 'type.googleapis.com/google.protobuf.Duration' }, 'v: type URL must not be in list ["type.googleapis.com/google.protobuf.Duration"]']],
  },
];

// Any contents are resolved against a registry that knows the well-known types used above.
const wktRegistry = createRegistry(file_google_protobuf_duration, file_google_protobuf_timestamp);

describe('rule kinds Envoy does not use', () => {
  for (const c of constructedCases) {
    test(c.rule, () => {
      const schema = single(c.field);
      const init = (v: unknown) => (v === undefined ? {} : { v });
      for (const ok of c.ok) assert.deepEqual(lines(schema, init(ok), wktRegistry), [], `expected no violation for ${JSON.stringify(ok, bigintJson)}`);
      for (const [bad, want] of c.bad) assert.deepEqual(lines(schema, init(bad), wktRegistry), [want]);
    });
  }

  test('enum const, in and not_in', () => {
    const schema = buildTypes({ M: { fields: {
      c: { enum: true, rules: { type: { case: 'enum', value: { const: 1 } } } },
      i: { enum: true, rules: { type: { case: 'enum', value: { in: [1, 2] } } } },
      n: { enum: true, rules: { type: { case: 'enum', value: { notIn: [2], definedOnly: true } } } },
    } } }).M;
    assert.deepEqual(lines(schema, { c: 1, i: 2, n: 1 }), []);
    assert.deepEqual(lines(schema, { c: 2, i: 0, n: 2 }), [
      'c: value must equal 1',
      'i: value must be in list [1, 2]',
      'n: value must not be in list [2]',
    ]);
    assert.deepEqual(lines(schema, { c: 1, i: 1, n: 7 }), ['n: value must be one of the defined enum values']);
  });

  test('repeated: exact and between item counts, unique bytes, wrapper items', () => {
    const exact = single({ type: T.STRING, repeated: true, rules: { type: { case: 'repeated', value: { minItems: 2n, maxItems: 2n } } } });
    assert.deepEqual(lines(exact, { v: ['a', 'b'] }), []);
    assert.deepEqual(lines(exact, { v: ['a'] }), ['v: value must contain exactly 2 item(s)']);
    const between = single({ type: T.STRING, repeated: true, rules: { type: { case: 'repeated', value: { minItems: 1n, maxItems: 2n } } } });
    assert.deepEqual(lines(between, { v: ['a'] }), []);
    assert.deepEqual(lines(between, { v: ['a', 'b', 'c'] }), ['v: value must contain between 1 and 2 items, inclusive']);
    const uniqueBytes = single({ type: T.BYTES, repeated: true, rules: { type: { case: 'repeated', value: { unique: true } } } });
    assert.deepEqual(lines(uniqueBytes, { v: [u8(1), u8(2)] }), []);
    assert.deepEqual(lines(uniqueBytes, { v: [u8(1), u8(1)] }), ['v[1]: repeated value must contain unique items']);
    const wrappers = single({
      message: '.google.protobuf.UInt32Value', repeated: true,
      rules: { type: { case: 'repeated', value: { items: { type: { case: 'uint32', value: { gt: 0 } } } } } },
    });
    assert.deepEqual(lines(wrappers, { v: [{ value: 1 }] }), []);
    assert.deepEqual(lines(wrappers, { v: [{ value: 1 }, { value: 0 }] }), ['v[1]: value must be greater than 0']);
  });

  test('map: max_pairs, no_sparse, integer keys and message values', () => {
    const types = buildTypes({
      Inner: { fields: { name: str({ minLen: 1n }) } },
      M: { fields: {
        small: { map: { key: T.STRING, value: T.STRING }, rules: { type: { case: 'map', value: { maxPairs: 1n } } } },
        dense: { map: { key: T.STRING, value: T.MESSAGE, message: 'Inner' }, rules: { type: { case: 'map', value: { noSparse: true } } } },
        ports: { map: { key: T.UINT32, value: T.STRING }, rules: { type: { case: 'map', value: { keys: { type: { case: 'uint32', value: { lte: 65535 } } } } } } },
        big: { map: { key: T.INT64, value: T.BOOL }, rules: { type: { case: 'map', value: { keys: { type: { case: 'int64', value: { gt: 0n } } } } } } },
      } },
    });
    assert.deepEqual(lines(types.M, { small: { a: 'x' }, dense: { k: { name: 'n' } }, ports: { 80: 'http' }, big: { '1': true } }), []);
    assert.deepEqual(lines(types.M, { small: { a: 'x', b: 'y' } }), ['small: value must contain no more than 1 pair(s)']);
    assert.deepEqual(lines(types.M, { ports: { 70000: 'x' } }), ['ports["70000"]: invalid key: value must be less than or equal to 65535']);
    assert.deepEqual(lines(types.M, { big: { '-1': true } }), ['big["-1"]: invalid key: value must be greater than 0']);
    assert.deepEqual(lines(types.M, { dense: { k: { name: '' } } }), ['dense["k"].name: value length must be at least 1 runes']);
    const sparse = create(types.M);
    (sparse as unknown as { dense: Record<string, unknown> }).dense.k = undefined;
    assert.deepEqual(checkMessage(types.M, sparse), [{ path: 'dense["k"]', message: 'value cannot be sparse, all pairs must be non-nil' }]);
  });

  test('message skip stops recursion, and the field itself is still checked for required', () => {
    const types = buildTypes({
      Inner: { fields: { name: str({ minLen: 1n }) } },
      M: { fields: {
        checked: { message: 'Inner' },
        skipped: { message: 'Inner', rules: { message: { skip: true, required: true } } },
      } },
    });
    assert.deepEqual(lines(types.M, { checked: { name: 'a' }, skipped: { name: '' } }), []);
    assert.deepEqual(lines(types.M, { checked: { name: '' }, skipped: { name: '' } }), ['checked.name: value length must be at least 1 runes']);
    assert.deepEqual(lines(types.M, { checked: { name: 'a' } }), ['skipped: value is required']);
  });

  test('(validate.disabled) and (validate.ignored) switch a message off, wherever it is nested', () => {
    const types = buildTypes({
      Off: { disabled: true, fields: { name: str({ minLen: 1n }) } },
      Ignored: { ignored: true, fields: { name: str({ minLen: 1n }) } },
      On: { fields: { name: str({ minLen: 1n }) } },
      M: { fields: { off: { message: 'Off' }, ignored: { message: 'Ignored' }, on: { message: 'On' } } },
    });
    assert.deepEqual(lines(types.Off, {}), []);
    assert.deepEqual(lines(types.Ignored, {}), []);
    assert.deepEqual(lines(types.On, {}), ['name: value length must be at least 1 runes']);
    assert.deepEqual(lines(types.M, { off: {}, ignored: {}, on: {} }), ['on.name: value length must be at least 1 runes']);
  });

  test('a required oneof, and rules on oneof members apply only to the member that is set', () => {
    const types = buildTypes({ M: {
      requiredOneofs: ['choice'],
      fields: {
        a: { type: T.STRING, oneof: 'choice', rules: { type: { case: 'string', value: { minLen: 3n } } } },
        b: { message: '.google.protobuf.StringValue', oneof: 'choice', rules: { type: { case: 'string', value: { prefix: 'x' } } } },
        c: { type: T.STRING, oneof: 'loose', rules: { type: { case: 'string', value: { minLen: 3n } } } },
      },
    } });
    assert.deepEqual(lines(types.M, { choice: { case: 'a', value: 'abc' } }), []);
    assert.deepEqual(lines(types.M, { choice: { case: 'b', value: { value: 'xy' } } }), []);
    assert.deepEqual(lines(types.M, {}), ['choice: value is required']);
    assert.deepEqual(lines(types.M, { choice: { case: 'a', value: 'ab' } }), ['a: value length must be at least 3 runes']);
    assert.deepEqual(lines(types.M, { choice: { case: 'b', value: { value: 'yy' } } }), ['b: value does not have prefix "x"']);
    assert.deepEqual(lines(types.M, { choice: { case: 'a', value: 'abc' }, loose: { case: 'c', value: 'c' } }), ['c: value length must be at least 3 runes']);
  });

  test('proto3 optional fields are checked only when set; plain proto3 fields always', () => {
    const types = buildTypes({ M: { fields: {
      opt: { type: T.UINT32, optional: true, rules: { type: { case: 'uint32', value: { in: [1, 2] } } } },
      opt_name: { type: T.STRING, optional: true, rules: { type: { case: 'string', value: { minLen: 1n } } } },
      plain: { type: T.UINT32, rules: { type: { case: 'uint32', value: { gt: 0 } } } },
    } } });
    assert.deepEqual(lines(types.M, { plain: 1 }), []);
    assert.deepEqual(lines(types.M, { plain: 1, opt: 0, optName: '' }), [
      'opt: value must be in list [1, 2]',
      'opt_name: value length must be at least 1 runes',
    ]);
    assert.deepEqual(lines(types.M, {}), ['plain: value must be greater than 0']);
  });

  test('recursive message types terminate and report deep violations', () => {
    const types = buildTypes({ Node: { fields: {
      name: str({ minLen: 1n }),
      children: { message: 'Node', repeated: true },
    } } });
    assert.deepEqual(lines(types.Node, { name: 'root', children: [{ name: 'a', children: [{ name: 'b' }] }] }), []);
    assert.deepEqual(
      lines(types.Node, { name: 'root', children: [{ name: 'a', children: [{ name: 'b' }, { name: '' }] }] }),
      ['children[0].children[1].name: value length must be at least 1 runes'],
    );
  });

  test('rules of the wrong kind for a field are rejected when the plan is built', () => {
    const schema = single({ type: T.STRING, rules: { type: { case: 'uint32', value: { gt: 0 } } } });
    assert.throws(() => checkMessage(schema, create(schema)), /validate rules of kind "uint32" do not apply to this field/);
  });

});

/**
 * The Envoy bootstrap a data plane proxy starts from (Kuma's `pkg/xds/bootstrap/template_v3.go`):
 * node identity and metadata, ADS to the control plane, and the static `ads_cluster` /
 * `access_log_sink` clusters. Pure: everything it needs comes in through the parameters.
 */
import { create, toJson, type JsonObject, type JsonValue } from '@bufbuild/protobuf';
import { anyPack, type Any } from '@bufbuild/protobuf/wkt';
import { stringify as toYaml } from 'yaml';
import { BootstrapSchema, type Bootstrap } from '../../gen/envoy/config/bootstrap/v3/bootstrap_pb.js';
import { ClusterSchema, Cluster_DiscoveryType, type Cluster } from '../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { AddressSchema, type Address } from '../../gen/envoy/config/core/v3/address_pb.js';
import { TransportSocketSchema } from '../../gen/envoy/config/core/v3/base_pb.js';
import { ApiConfigSource_ApiType, ApiVersion, ConfigSourceSchema, type ConfigSource } from '../../gen/envoy/config/core/v3/config_source_pb.js';
import { GrpcServiceSchema, type GrpcService } from '../../gen/envoy/config/core/v3/grpc_service_pb.js';
import { TagSpecifierSchema, type TagSpecifier } from '../../gen/envoy/config/metrics/v3/stats_pb.js';
import { FileAccessLogSchema } from '../../gen/envoy/extensions/access_loggers/file/v3/file_pb.js';
import { GoogleRE2Schema } from '../../gen/envoy/extensions/regex_engines/v3/google_re2_pb.js';
import { SubjectAltNameMatcher_SanType, TlsParameters_TlsProtocol } from '../../gen/envoy/extensions/transport_sockets/tls/v3/common_pb.js';
import { SecretSchema, type Secret } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { UpstreamTlsContextSchema } from '../../gen/envoy/extensions/transport_sockets/tls/v3/tls_pb.js';
import { HttpProtocolOptionsSchema } from '../../gen/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js';
import { isIP } from '../core/go-compat/ip.js';
import type { Resource } from '../core/resource.js';
import { envoyRegistry } from '../envoy/type-registry.js';
import { identifyingService } from '../resources/dataplane.js';
import type { MeshSpec } from '../resources/mesh.js';
import { decodePrometheusConf, PROMETHEUS_TYPE, type PrometheusConf } from '../resources/prometheus.js';
import type { BootstrapRequest } from './bootstrap-request.js';

export const ADS_CLUSTER = 'ads_cluster';
export const ACCESS_LOG_SINK_CLUSTER = 'access_log_sink';
export const CP_VALIDATION_CONTEXT = 'cp_validation_ctx';
export const FEATURE_DELTA_GRPC = 'feature-delta-grpc';

/** Where the proxy reaches the control plane's xDS server. */
export interface XdsEndpoint {
  host: string;
  port: number;
  /** False when the DP server runs without TLS: no transport socket, no validation secret. */
  tls: boolean;
  /** The CA the proxy validates the control plane with; the request's `caCert` wins over it. */
  caPem?: string;
}

export interface BootstrapParams {
  request: BootstrapRequest;
  /** The proxy's Dataplane, when the control plane knows it. */
  dataplane?: Resource;
  xds: XdsEndpoint;
  /** Used when the Dataplane does not set `networking.admin.port` (Kuma's default is 9901). */
  defaultAdminPort: number;
  /** Defaults as Kuma's bootstrap server: 127.0.0.1, /dev/null, 1 second. */
  adminAddress?: string;
  adminAccessLogPath?: string;
  xdsConnectTimeoutMs?: number;
}

/** `<workdir>/kuma-al-<name>-<mesh>.sock`, cut to 98 characters before `.sock` like every Kuma socket path. */
export function accessLogSocketPath(workdir: string, name: string, mesh: string): string {
  const base = joinPath(workdir, `kuma-al-${name}-${mesh}`);
  return `${base.slice(0, 98)}.sock`;
}

/** Go's filepath.Join for the absolute workdirs kuma-dp sends: repeated and trailing slashes collapse. */
function joinPath(dir: string, file: string): string {
  if (dir === '') return file;
  return `${dir}/${file}`.replace(/\/+/g, '/');
}

/** Kuma parses the node id back by splitting at the first dot, so the socket path follows that split. */
function splitProxyId(id: string): { mesh: string; name: string } {
  const dot = id.indexOf('.');
  return dot < 0 ? { mesh: id, name: '' } : { mesh: id.slice(0, dot), name: id.slice(dot + 1) };
}

function duration(ms: number): { seconds: bigint; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: Math.round((ms - seconds * 1000) * 1_000_000) };
}

function http2Options(): { [key: string]: Any } {
  const options = create(HttpProtocolOptionsSchema, {
    upstreamProtocolOptions: { case: 'explicitHttpConfig', value: { protocolConfig: { case: 'http2ProtocolOptions', value: {} } } },
  });
  return { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': anyPack(HttpProtocolOptionsSchema, options) };
}

function staticCluster(name: string, type: Cluster_DiscoveryType, address: Address, connectTimeoutMs: number): Cluster {
  return create(ClusterSchema, {
    name,
    connectTimeout: duration(connectTimeoutMs),
    clusterDiscoveryType: { case: 'type', value: type },
    upstreamConnectionOptions: { tcpKeepalive: { keepaliveProbes: 3, keepaliveTime: 10, keepaliveInterval: 10 } },
    loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ hostIdentifier: { case: 'endpoint', value: { address } } }] }] },
    typedExtensionProtocolOptions: http2Options(),
  });
}

function adsCluster(xds: XdsEndpoint, connectTimeoutMs: number): Cluster {
  const cluster = staticCluster(
    ADS_CLUSTER,
    isIP(xds.host) ? Cluster_DiscoveryType.STATIC : Cluster_DiscoveryType.STRICT_DNS,
    socketAddress(xds.host, xds.port),
    connectTimeoutMs,
  );
  if (xds.tls) {
    const tlsContext = create(UpstreamTlsContextSchema, {
      sni: xds.host,
      commonTlsContext: {
        tlsParams: { tlsMinimumProtocolVersion: TlsParameters_TlsProtocol.TLSv1_2 },
        validationContextType: { case: 'validationContextSdsSecretConfig', value: { name: CP_VALIDATION_CONTEXT } },
      },
    });
    cluster.transportSocket = create(TransportSocketSchema, {
      name: 'envoy.transport_sockets.tls',
      configType: { case: 'typedConfig', value: anyPack(UpstreamTlsContextSchema, tlsContext) },
    });
  }
  return cluster;
}

function socketAddress(host: string, port: number): Address {
  return create(AddressSchema, {
    address: { case: 'socketAddress', value: { address: host, portSpecifier: { case: 'portValue', value: port } } },
  });
}

function pipeAddress(path: string): Address {
  return create(AddressSchema, { address: { case: 'pipe', value: { path } } });
}

function adsSource(): ConfigSource {
  return create(ConfigSourceSchema, {
    configSourceSpecifier: { case: 'ads', value: {} },
    initialFetchTimeout: { seconds: 0n, nanos: 0 },
    resourceApiVersion: ApiVersion.V3,
  });
}

function grpcService(token: string): GrpcService {
  return create(GrpcServiceSchema, {
    targetSpecifier: { case: 'envoyGrpc', value: { clusterName: ADS_CLUSTER } },
    initialMetadata: token ? [{ key: 'authorization', value: token }] : [],
  });
}

function statsTags(): TagSpecifier[] {
  return STATS_TAGS.map(([tagName, regex]) => create(TagSpecifierSchema, { tagName, tagValue: { case: 'regex', value: regex } }));
}

/** The static secret the `ads_cluster` TLS context validates the control plane with. */
function cpValidationSecret(host: string, caPem: string): Secret {
  return create(SecretSchema, {
    name: CP_VALIDATION_CONTEXT,
    type: {
      case: 'validationContext',
      value: {
        matchTypedSubjectAltNames: [SubjectAltNameMatcher_SanType.DNS, SubjectAltNameMatcher_SanType.IP_ADDRESS].map((sanType) => ({
          sanType,
          matcher: { matchPattern: { case: 'exact' as const, value: host } },
        })),
        trustedCa: { specifier: { case: 'inlineBytes', value: new TextEncoder().encode(caPem) } },
      },
    },
  });
}

/** Kuma serialises the version message as protojson, which leaves out empty strings and false. */
function versionMetadata(req: BootstrapRequest): JsonObject {
  const compact = (o: Record<string, string | boolean>): JsonObject =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== false));
  return { kumaDp: compact({ ...req.version.kumaDp }), envoy: compact({ ...req.version.envoy }) };
}

function nodeMetadata(req: BootstrapRequest, admin: { port: number; address: string }): JsonObject {
  const md: JsonObject = {
    version: versionMetadata(req),
    features: [...new Set(req.features)],
    workdir: req.workdir,
    metricsCertPath: req.metricsResources.certPath,
    metricsKeyPath: req.metricsResources.keyPath,
    systemCaPath: req.systemCaPath,
    ipv6Enabled: req.ipv6Enabled,
    'spireAgent.socketPath': req.spireResources.socketPath,
  };
  if (req.dataplaneResource) md['dataplane.resource'] = req.dataplaneResource;
  if (admin.port !== 0) {
    md['dataplane.admin.port'] = String(admin.port);
    md['dataplane.admin.address'] = admin.address;
  }
  if (req.dnsPort !== 0) md['dataplane.dns.port'] = String(req.dnsPort);
  if (req.readinessPort !== 0) md['dataplane.readinessReporter.port'] = String(req.readinessPort);
  if (req.appProbeProxyEnabled) md['dataplane.appProbeProxy.enabled'] = 'true';
  if (req.proxyType) md['dataplane.proxyType'] = req.proxyType;
  if (Object.keys(req.dynamicMetadata).length > 0) md.dynamicMetadata = { ...req.dynamicMetadata };
  if (req.transparentProxy) md.transparentProxy = req.transparentProxy as JsonValue;
  if (req.otelEnv) md.otelEnvInventory = req.otelEnv as JsonValue;
  return md;
}

function adminPortOf(dataplane: Resource | undefined, fallback: number): number {
  const port = (dataplane?.spec as { networking?: { admin?: { port?: number } } } | undefined)?.networking?.admin?.port;
  return port ? port : fallback;
}

// Stat tags Kuma adds so gRPC, Kafka, worker and RBAC stats get useful labels.
const STATS_TAGS: [string, string][] = [
  ['name', '^grpc\\.((.+)\\.)'],
  ['status', '^grpc.*streams_closed(_([0-9]+))'],
  ['kafka_name', '^kafka(\\.(\\S*[0-9]))\\.'],
  ['kafka_type', '^kafka\\..*\\.(.*?(?=_duration|$))'],
  ['worker', '(worker_([0-9]+)\\.)'],
  ['listener', '((.+?)\\.)rbac\\.'],
];

export function generateBootstrap(params: BootstrapParams): Bootstrap {
  const { request: req, xds } = params;
  const id = `${req.mesh}.${req.name}`;
  const connectTimeoutMs = params.xdsConnectTimeoutMs ?? 1000;
  const admin = { port: adminPortOf(params.dataplane, params.defaultAdminPort), address: params.adminAddress ?? '127.0.0.1' };
  const accessLogPath = params.adminAccessLogPath ?? '/dev/null';
  const proxy = splitProxyId(id);

  let caPem: string | undefined;
  if (xds.tls) {
    caPem = req.caCert || xds.caPem;
    if (!caPem) throw new Error('the control plane CA certificate is needed to build a TLS bootstrap, but none was configured');
  }

  const bootstrap = create(BootstrapSchema, {
    node: {
      id,
      cluster: params.dataplane ? identifyingService(params.dataplane.spec) : 'unknown',
      metadata: nodeMetadata(req, admin),
    },
    layeredRuntime: {
      layers: [
        {
          name: 'kuma',
          layerSpecifier: {
            case: 'staticLayer',
            value: { 're2.max_program_size.error_level': 4294967295, 're2.max_program_size.warn_level': 1000 },
          },
        },
      ],
    },
    statsConfig: { statsTags: statsTags() },
    dynamicResources: {
      ldsConfig: adsSource(),
      cdsConfig: adsSource(),
      adsConfig: {
        apiType: req.features.includes(FEATURE_DELTA_GRPC) ? ApiConfigSource_ApiType.DELTA_GRPC : ApiConfigSource_ApiType.GRPC,
        transportApiVersion: ApiVersion.V3,
        setNodeOnFirstMessageOnly: true,
        grpcServices: [grpcService(req.dataplaneToken)],
      },
    },
    staticResources: {
      clusters: [
        staticCluster(ACCESS_LOG_SINK_CLUSTER, Cluster_DiscoveryType.STATIC, pipeAddress(accessLogSocketPath(req.workdir, proxy.name, proxy.mesh)), connectTimeoutMs),
        adsCluster(xds, connectTimeoutMs),
      ],
      secrets: caPem ? [cpValidationSecret(xds.host, caPem)] : [],
    },
    defaultRegexEngine: { name: 'envoy.regex_engines.google_re2', typedConfig: anyPack(GoogleRE2Schema, create(GoogleRE2Schema)) },
    admin: {
      address: { address: { case: 'socketAddress', value: { address: admin.address, portSpecifier: { case: 'portValue', value: admin.port } } } },
      accessLog: accessLogPath
        ? [
            {
              name: 'envoy.access_loggers.file',
              configType: { case: 'typedConfig', value: anyPack(FileAccessLogSchema, create(FileAccessLogSchema, { path: accessLogPath })) },
            },
          ]
        : [],
    },
  });
  return bootstrap;
}

export interface MetricsAggregate {
  name: string;
  address: string;
  port: number;
  path: string;
}

/** What kuma-dp needs besides the bootstrap (`kumaSidecarConfiguration` in the response). */
export interface KumaSidecarConfiguration {
  /** `corefileTemplate` is base64 bytes in Kuma; Ferry never sends a custom template. */
  networking: { corefileTemplate: null; address: string };
  metrics: { aggregate: MetricsAggregate[] };
}

type DataplaneView = { networking?: { address?: string }; metrics?: { type?: string; conf?: Record<string, unknown> } };

function prometheusConf(conf: Record<string, unknown> | undefined): PrometheusConf {
  const decoded = decodePrometheusConf(conf);
  if ('error' in decoded) throw new Error(`could not parse the prometheus metrics backend: ${decoded.error}`);
  return decoded.value;
}

/**
 * Applications kuma-dp scrapes and merges into Envoy's metrics: the mesh's enabled Prometheus
 * backend `aggregate` list, overridden by name from the Dataplane's own `metrics`, minus disabled ones.
 */
export function kumaSidecarConfiguration(dataplane: Resource | undefined, mesh: Resource | undefined): KumaSidecarConfiguration {
  const dp = (dataplane?.spec ?? {}) as DataplaneView;
  const address = dp.networking?.address ?? '';
  const config: KumaSidecarConfiguration = { networking: { corefileTemplate: null, address }, metrics: { aggregate: [] } };
  const metrics = (mesh?.spec as MeshSpec | undefined)?.metrics;
  const backend = metrics?.backends?.find((b) => b.name === metrics.enabledBackend);
  if (!dataplane || !mesh || mesh.meta.name !== dataplane.meta.mesh || !metrics?.enabledBackend || backend?.type !== PROMETHEUS_TYPE) {
    return config;
  }
  const byName = new Map<string, NonNullable<PrometheusConf['aggregate']>[number]>();
  for (const entry of prometheusConf(backend.conf).aggregate ?? []) byName.set(entry.name ?? '', entry);
  if (dp.metrics?.type === PROMETHEUS_TYPE) {
    for (const entry of prometheusConf(dp.metrics.conf).aggregate ?? []) byName.set(entry.name ?? '', entry);
  }
  config.metrics.aggregate = [...byName.values()]
    .filter((entry) => entry.enabled !== false)
    .map((entry) => ({ name: entry.name ?? '', address: entry.address || address, port: entry.port ?? 0, path: entry.path ?? '' }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return config;
}

/** `@type` first in every packed Any, where readers of the YAML look for it. */
function typeUrlFirst(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(typeUrlFirst);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  if ('@type' in value) out['@type'] = value['@type'];
  for (const [k, v] of Object.entries(value)) if (k !== '@type') out[k] = typeUrlFirst(v);
  return out;
}

/** The bootstrap in proto3 JSON form, as Envoy and Kuma print it. */
export function bootstrapToJson(bootstrap: Bootstrap): JsonObject {
  return typeUrlFirst(toJson(BootstrapSchema, bootstrap, { registry: envoyRegistry })) as JsonObject;
}

/** The YAML file Envoy is started with. */
export function bootstrapToYaml(bootstrap: Bootstrap): string {
  // YAML 1.1 quoting, as Envoy's parser reads `yes`/`on`/`y` as booleans; no folding of long metadata strings.
  return toYaml(bootstrapToJson(bootstrap), { version: '1.1', lineWidth: 0 });
}

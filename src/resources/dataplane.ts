/**
 * Dataplane (`api/mesh/v1alpha1/dataplane.proto`): its spec schema, the rules of
 * Kuma's `Dataplane.Validate()`, and the tag helpers other modules share.
 */
import { isDnsName } from '../core/go-compat/dns-name.js';
import { equalIP, isIP, isUnspecifiedIP, parseIP } from '../core/go-compat/ip.js';
import { isValidDuration, isZeroDuration, parseDurationText } from '../core/go-compat/proto-duration.js';
import { goQuote } from '../core/go-compat/quote.js';
import { compareGoStrings, sortedKeys } from '../core/go-compat/sort.js';
import { parseRequestUri } from '../core/go-compat/url.js';
import type { KindDescriptor, ValidationContext } from '../core/registry.js';
import type { Spec } from '../core/resource.js';
import { validateName } from '../core/names.js';
import { t, type FieldSchema } from '../core/schema.js';
import { FieldPath, Violations, type Violation } from '../core/validation.js';
import { envoyAdminSchema, metricsBackendSchema } from './common.js';
import { PROMETHEUS_TYPE, validatePrometheusConf } from './prometheus.js';

// ---------------------------------------------------------------------------
// Schema (JSON names; the parser also accepts the proto snake_case names)

const serviceProbeSchema = t.message({
  interval: t.duration,
  timeout: t.duration,
  unhealthyThreshold: t.wrapper('uint32'),
  healthyThreshold: t.wrapper('uint32'),
  tcp: t.message({}),
});

const inboundSchema = t.message({
  port: t.uint32,
  servicePort: t.uint32,
  serviceAddress: t.string,
  address: t.string,
  tags: t.stringMap,
  health: t.message({ ready: t.bool }),
  serviceProbe: serviceProbeSchema,
  state: t.enum('Ready', 'NotReady', 'Ignored'),
  name: t.string,
  protocol: t.string,
});

const outboundSchema = t.message({
  address: t.string,
  port: t.uint32,
  tags: t.stringMap,
  backendRef: t.message({ kind: t.string, name: t.string, port: t.uint32, labels: t.stringMap }),
});

const gatewaySchema = t.message({
  tags: t.stringMap,
  type: t.enum('DELEGATED', 'BUILTIN'),
});

const transparentProxyingSchema = t.message({
  redirectPortInbound: t.uint32,
  redirectPortOutbound: t.uint32,
  directAccessServices: t.list(t.string),
  reachableServices: t.list(t.string),
  ipFamilyMode: t.enum('UnSpecified', 'DualStack', 'IPv4', 'IPv6'),
  reachableBackends: t.message({
    refs: t.list(
      t.message({ kind: t.string, name: t.string, namespace: t.string, port: t.wrapper('uint32'), labels: t.stringMap }),
    ),
  }),
});

const listenerSchema = t.message({
  type: t.enum('Unspecified', 'ZoneIngress', 'ZoneEgress'),
  address: t.string,
  port: t.uint32,
  name: t.string,
  state: t.enum('Ready', 'NotReady'),
});

export const dataplaneSchema: Record<string, FieldSchema> = {
  networking: t.message({
    address: t.string,
    advertisedAddress: t.string,
    inbound: t.list(inboundSchema),
    outbound: t.list(outboundSchema),
    gateway: gatewaySchema,
    transparentProxying: transparentProxyingSchema,
    admin: envoyAdminSchema,
    listeners: t.list(listenerSchema),
  }),
  metrics: metricsBackendSchema,
  probes: t.message({
    port: t.uint32,
    endpoints: t.list(t.message({ inboundPort: t.uint32, inboundPath: t.string, path: t.string })),
  }),
};

// The normalised shape the schema produces: zero values are absent.
type Tags = Record<string, string>;
type ServiceProbe = { interval?: string; timeout?: string; unhealthyThreshold?: number; healthyThreshold?: number };
type Inbound = {
  port?: number;
  servicePort?: number;
  serviceAddress?: string;
  address?: string;
  tags?: Tags;
  serviceProbe?: ServiceProbe;
  name?: string;
  protocol?: string;
};
type BackendRef = { kind?: string; name?: string; port?: number; labels?: Tags };
type Outbound = { address?: string; port?: number; tags?: Tags; backendRef?: BackendRef };
type Gateway = { tags?: Tags; type?: string };
type ReachableBackendRef = { kind?: string; name?: string; namespace?: string; labels?: Tags };
type TransparentProxying = { reachableBackends?: { refs?: ReachableBackendRef[] } };
type Listener = { type?: string; address?: string; port?: number; name?: string };
type Networking = {
  address?: string;
  inbound?: Inbound[];
  outbound?: Outbound[];
  gateway?: Gateway;
  transparentProxying?: TransparentProxying;
  admin?: { port?: number };
  listeners?: Listener[];
};
type Probes = { port?: number; endpoints?: { inboundPort?: number; inboundPath?: string; path?: string }[] };
type MetricsBackend = { type?: string; conf?: Record<string, unknown> };
type DataplaneSpec = { networking?: Networking; metrics?: MetricsBackend; probes?: Probes };

// ---------------------------------------------------------------------------
// Helpers shared with other modules

const SERVICE_TAG = 'kuma.io/service';
const PROTOCOL_TAG = 'kuma.io/protocol';

function gatewayOf(spec: Spec): Gateway | undefined {
  return (spec as DataplaneSpec).networking?.gateway;
}

/** Any `gateway` block makes the Dataplane a gateway. */
export function isGateway(spec: Spec): boolean {
  return gatewayOf(spec) !== undefined;
}

export function isBuiltinGateway(spec: Spec): boolean {
  return gatewayOf(spec)?.type === 'BUILTIN';
}

/** DELEGATED is the enum's zero value, so a gateway without a type is delegated. */
export function isDelegatedGateway(spec: Spec): boolean {
  const gateway = gatewayOf(spec);
  return gateway !== undefined && gateway.type !== 'BUILTIN';
}

/** Each inbound's tags, then the gateway's tags when there is a gateway. */
export function tagSets(spec: Spec): Record<string, string>[] {
  const networking = (spec as DataplaneSpec).networking;
  const sets = (networking?.inbound ?? []).map((inbound) => ({ ...(inbound.tags ?? {}) }));
  if (networking?.gateway) sets.push({ ...(networking.gateway.tags ?? {}) });
  return sets;
}

/** The alphabetically first `kuma.io/service` value of the Dataplane, else `unknown`. */
export function identifyingService(spec: Spec): string {
  const services = tagSets(spec)
    .filter((tags) => Object.hasOwn(tags, SERVICE_TAG))
    .map((tags) => tags[SERVICE_TAG]);
  return services.length > 0 ? services.sort(compareGoStrings)[0] : 'unknown';
}

// ---------------------------------------------------------------------------
// Validation, in the order Kuma runs it

const PORT_RANGE = 'port must be in the range [1, 65535]';
const MISSING_SERVICE_TAG = `mandatory tag "${SERVICE_TAG}" is missing`;
const SAME_AS_INBOUND = 'serviceAddress and servicePort has to differ from address and port';
const ALLOWED_PROTOCOLS_HINT = 'Allowed values: grpc, http, http2, kafka, tcp';
// Kuma's protocol parser also knows tls and mysql, although the hint does not list them.
const KNOWN_PROTOCOLS = new Set(['http', 'http2', 'tcp', 'tls', 'grpc', 'kafka', 'mysql']);
const BACKEND_KINDS = ['MeshExternalService', 'MeshMultiZoneService', 'MeshService'];
const BACKEND_KIND_MESSAGE = `invalid value. Available values are: ${BACKEND_KINDS.join(',')}`;
const TAG_NAME_CHARS = /^[a-zA-Z0-9.\-_:/]*$/;
const TAG_VALUE_CHARS = /^[a-zA-Z0-9.\-_:]*$/;
const BUILTIN_UNSUPPORTED = 'builtin gateways are not supported by Ferry; use type DELEGATED (or omit type)';
const LOOPBACK_IPV4 = parseIP('127.0.0.1')!;

export function validateDataplane(spec: Spec, _ctx?: ValidationContext): Violation[] {
  const dp = spec as DataplaneSpec;
  const v = new Violations();
  const net = FieldPath.at('networking');
  const networking = dp.networking;
  if (!networking) {
    v.add(net, 'must be defined');
    return v.list;
  }

  if (networking.admin) {
    const port = networking.admin.port ?? 0;
    const adminPort = net.field('admin').field('port');
    if (usesInboundInterface(networking, LOOPBACK_IPV4, port)) v.add(adminPort, 'must differ from inbound');
    if (usesOutboundInterface(networking, LOOPBACK_IPV4, port)) v.add(adminPort, 'must differ from outbound');
  }

  const gateway = networking.gateway;
  const hasInbounds = (networking.inbound ?? []).length > 0;
  const hasListeners = (networking.listeners ?? []).length > 0;
  if (gateway && gateway.type !== 'BUILTIN') {
    if (hasInbounds) v.add(net.field('inbound'), 'inbound cannot be defined for delegated gateways');
    if (hasListeners) v.add(net.field('listeners'), 'listeners cannot be defined for delegated gateways');
    validateGateway(v, net.field('gateway'), gateway);
    validateNetworking(v, networking);
    validateProbes(v, dp.probes);
  } else if (gateway) {
    v.add(net.field('gateway').field('type'), BUILTIN_UNSUPPORTED);
    if (hasInbounds) v.add(net.field('inbound'), 'inbound cannot be defined for builtin gateways');
    if ((networking.outbound ?? []).length > 0) v.add(net.field('outbound'), 'outbound cannot be defined for builtin gateways');
    if (hasListeners) v.add(net.field('listeners'), 'listeners cannot be defined for builtin gateways');
    // Kuma reports probes under `networking` although the field is top-level.
    if (dp.probes) v.add(net.field('probes'), 'probes cannot be defined for builtin gateways');
    validateGateway(v, net.field('gateway'), gateway);
    validateNetworking(v, networking);
  } else {
    validateNetworking(v, networking);
    validateProbes(v, dp.probes);
    if (dp.metrics) validateMetrics(v, dp.metrics);
    validateListeners(v, net.field('listeners'), networking);
  }
  return v.list;
}

function validatePort(v: Violations, path: FieldPath, port: number): void {
  if (port === 0 || port > 65535) v.add(path, PORT_RANGE);
}

function validateAddress(v: Violations, path: FieldPath, address: string): void {
  if (address === '') {
    v.add(path, "address can't be empty");
    return;
  }
  if (address === '0.0.0.0' || address === '::') v.add(path, 'must not be 0.0.0.0 or ::');
  if (!isIP(address) && !isDnsName(address)) v.add(path, 'address has to be valid IP address or domain name');
}

interface TagRules {
  requireService?: boolean;
  /** Runs over the whole map before the per-key checks. */
  checkMap?: (path: FieldPath, tags: Tags) => void;
}

function validateTags(v: Violations, path: FieldPath, tags: Tags, rules: TagRules): void {
  rules.checkMap?.(path, tags);
  for (const key of sortedKeys(tags)) {
    if (key === '') v.add(path, 'tag name must be non-empty');
    if (!TAG_NAME_CHARS.test(key)) {
      v.add(path.key(key), 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores');
    }
    const value = tags[key];
    if (value === '') v.add(path.key(key), 'tag value must be non-empty');
    if (!TAG_VALUE_CHARS.test(value)) {
      v.add(path.key(key), 'tag value must consist of alphanumeric characters, dots, dashes and underscores');
    }
  }
  if (rules.requireService && !Object.hasOwn(tags, SERVICE_TAG)) v.add(path, MISSING_SERVICE_TAG);
}

function isKnownProtocol(value: string): boolean {
  return KNOWN_PROTOCOLS.has(value.toLowerCase());
}

function validateGateway(v: Violations, path: FieldPath, gateway: Gateway): void {
  const tags = gateway.tags ?? {};
  validateTags(v, path.field('tags'), tags, {
    // Tag-less gateways are the newer setup (inbound tags disabled) and need no service tag.
    requireService: Object.keys(tags).length > 0,
    checkMap: (tagsPath, all) => {
      if (!Object.hasOwn(all, PROTOCOL_TAG)) return;
      const protocol = all[PROTOCOL_TAG];
      if (protocol.toLowerCase() !== 'tcp') {
        v.add(tagsPath.key(PROTOCOL_TAG), `other values than tcp are not allowed, provided value ${goQuote(protocol)}`);
      }
    },
  });
}

function validateNetworking(v: Violations, networking: Networking): void {
  const path = FieldPath.at('networking');
  const address = networking.address ?? '';
  validateAddress(v, path.field('address'), address);
  (networking.inbound ?? []).forEach((inbound, i) => {
    const inboundPath = path.field('inbound').index(i);
    validateInbound(v, inboundPath, inbound, address);
    // Inbounds without any tags are the newer setup and need no service tag.
    const tags = inbound.tags ?? {};
    if (Object.keys(tags).length > 0 && !Object.hasOwn(tags, SERVICE_TAG)) {
      v.add(inboundPath.field('tags').key(SERVICE_TAG), 'tag has to exist');
    }
  });
  (networking.outbound ?? []).forEach((outbound, i) => validateOutbound(v, path.field('outbound').index(i), outbound));
  // Kuma spells this path `transparentProxing`; clients match on it, so the typo stays.
  validateReachableBackends(v, path.field('transparentProxing'), networking.transparentProxying);
}

function validateInbound(v: Violations, path: FieldPath, inbound: Inbound, dataplaneAddress: string): void {
  const port = inbound.port ?? 0;
  const servicePort = inbound.servicePort ?? 0;
  const serviceAddress = inbound.serviceAddress ?? '';
  const address = inbound.address ?? '';
  const forwardsToItself = servicePort === 0 || servicePort === port;

  validatePort(v, path.field('port'), port);
  if (servicePort !== 0) validatePort(v, path.field('servicePort'), servicePort);
  if (serviceAddress !== '') {
    if (!isIP(serviceAddress)) v.add(path.field('serviceAddress'), 'serviceAddress has to be valid IP address');
    if (serviceAddress === dataplaneAddress && forwardsToItself) v.add(path.field('serviceAddress'), SAME_AS_INBOUND);
  }
  if (address !== '') {
    if (!isIP(address)) v.add(path.field('address'), 'address has to be valid IP address');
    if (address === serviceAddress && forwardsToItself) v.add(path.field('serviceAddress'), SAME_AS_INBOUND);
  }

  validateTags(v, path.field('tags'), inbound.tags ?? {}, {
    checkMap: (tagsPath, all) => {
      if (Object.hasOwn(all, PROTOCOL_TAG) && !isKnownProtocol(all[PROTOCOL_TAG])) {
        v.add(
          tagsPath.key(PROTOCOL_TAG),
          `tag ${goQuote(PROTOCOL_TAG)} has an invalid value ${goQuote(all[PROTOCOL_TAG])}. ${ALLOWED_PROTOCOLS_HINT}`,
        );
      }
    },
  });

  const protocol = inbound.protocol ?? '';
  if (protocol !== '' && !isKnownProtocol(protocol)) {
    v.add(path.field('protocol'), `has an invalid value ${goQuote(protocol)}. ${ALLOWED_PROTOCOLS_HINT}`);
  }

  const probe = inbound.serviceProbe;
  if (probe) {
    const probePath = path.field('serviceProbe');
    if (probe.interval !== undefined) validateDuration(v, probePath.field('interval'), probe.interval);
    if (probe.timeout !== undefined) validateDuration(v, probePath.field('timeout'), probe.timeout);
    if (probe.unhealthyThreshold === 0) v.add(probePath.field('unhealthyThreshold'), 'must have a positive value');
    if (probe.healthyThreshold === 0) v.add(probePath.field('healthyThreshold'), 'must have a positive value');
  }
}

/** Only a zero duration is rejected; negative ones pass, as in Kuma. */
function validateDuration(v: Violations, path: FieldPath, text: string): void {
  const duration = parseDurationText(text);
  if (!duration || !isValidDuration(duration)) v.add(path, 'must have a valid value');
  else if (isZeroDuration(duration)) v.add(path, 'must have a positive value');
}

function validateOutbound(v: Violations, path: FieldPath, outbound: Outbound): void {
  const tags = outbound.tags ?? {};
  const tagCount = Object.keys(tags).length;
  const ref = outbound.backendRef;

  validatePort(v, path.field('port'), outbound.port ?? 0);
  const address = outbound.address ?? '';
  if (address !== '' && !isIP(address)) v.add(path.field('address'), 'address has to be valid IP address');

  if (ref) {
    const refPath = path.field('backendRef');
    if (!BACKEND_KINDS.includes(ref.kind ?? '')) v.add(refPath.field('kind'), BACKEND_KIND_MESSAGE);
    if ((ref.name ?? '') === '' && Object.keys(ref.labels ?? {}).length === 0) {
      v.add(refPath, "either 'name' or 'labels' should be specified");
    }
    // A MeshExternalService's port comes from its endpoints.
    if (ref.kind !== 'MeshExternalService') validatePort(v, refPath.field('port'), ref.port ?? 0);
  } else if (tagCount === 0) {
    v.add(path.field('tags'), MISSING_SERVICE_TAG);
  } else {
    validateTags(v, path.field('tags'), tags, { requireService: true });
  }

  if (ref && (tagCount !== 0 || (tags[SERVICE_TAG] ?? '') !== '')) {
    v.add(path.field('backendRef'), 'both backendRef and tags/service cannot be defined');
  }
}

function validateReachableBackends(v: Violations, path: FieldPath, tp: TransparentProxying | undefined): void {
  if (!tp?.reachableBackends) return;
  (tp.reachableBackends.refs ?? []).forEach((ref, i) => {
    const refPath = path.field('reachableBackends').field('refs').index(i);
    const name = ref.name ?? '';
    const namespace = ref.namespace ?? '';
    const hasLabels = Object.keys(ref.labels ?? {}).length > 0;
    if (!BACKEND_KINDS.includes(ref.kind ?? '')) v.add(refPath.field('kind'), BACKEND_KIND_MESSAGE);
    if (name !== '') {
      for (const violation of validateName(name)) v.add(refPath.field('name'), violation.message);
    }
    if (name === '' && namespace === '' && !hasLabels) v.add(refPath.field('name'), 'name or labels are required');
    if (name === '' && namespace !== '') v.add(refPath.field('name'), 'name is required, when namespace is defined');
    if ((name !== '' || namespace !== '') && hasLabels) {
      v.add(refPath.field('labels'), 'labels cannot be defined when name is specified');
    }
  });
}

function validateProbes(v: Violations, probes: Probes | undefined): void {
  if (!probes) return;
  const path = FieldPath.at('probes');
  validatePort(v, path.field('port'), probes.port ?? 0);
  (probes.endpoints ?? []).forEach((endpoint, i) => {
    const endpointPath = path.field('endpoints').index(i);
    validatePort(v, endpointPath.field('inboundPort'), endpoint.inboundPort ?? 0);
    if (!parseRequestUri(endpoint.inboundPath ?? '')) v.add(endpointPath.field('inboundPath'), 'should be a valid URL Path');
    if (!parseRequestUri(endpoint.path ?? '')) v.add(endpointPath.field('path'), 'should be a valid URL Path');
  });
}

function validateMetrics(v: Violations, metrics: MetricsBackend): void {
  const path = FieldPath.at('metrics');
  if (metrics.type !== PROMETHEUS_TYPE) {
    v.add(path.field('type'), `unknown backend type. Available backends: ${goQuote(PROMETHEUS_TYPE)}`);
  } else {
    validatePrometheusConf(metrics.conf, path.field('conf'), v);
  }
}

function validateListeners(v: Violations, path: FieldPath, networking: Networking): void {
  const inbounds = networking.inbound ?? [];
  // An inbound's section name is its name, or its port when unnamed.
  const names = new Set(inbounds.map((inbound) => inbound.name || String(inbound.port ?? 0)));
  const typeByAddressPort = new Map<string, string>();

  (networking.listeners ?? []).forEach((listener, i) => {
    const listenerPath = path.index(i);
    const type = listener.type ?? 'Unspecified';
    if (type === 'Unspecified') v.add(listenerPath.field('type'), 'type must be ZoneIngress or ZoneEgress');
    validateAddress(v, listenerPath.field('address'), listener.address ?? '');
    validatePort(v, listenerPath.field('port'), listener.port ?? 0);

    const name = listener.name ?? '';
    if (name !== '') {
      if (names.has(name)) v.add(listenerPath.field('name'), `name ${goQuote(name)} must be unique across inbounds and listeners`);
      names.add(name);
    }

    const key = `${listener.address ?? ''}:${listener.port ?? 0}`;
    const existingType = typeByAddressPort.get(key);
    if (existingType === undefined) typeByAddressPort.set(key, type);
    else if (existingType === type) v.add(listenerPath, `address:port ${key} is already used by another listener`);
    else v.add(listenerPath, `address:port ${key} is used by listeners of different types`);

    const collides = inbounds.some((inbound) => `${inbound.address || networking.address || ''}:${inbound.port ?? 0}` === key);
    if (collides) v.add(listenerPath, `address:port ${key} collides with an inbound listener`);
  });
}

function usesInboundInterface(networking: Networking, ip: number[], port: number): boolean {
  for (const inbound of networking.inbound ?? []) {
    const dataplaneIp = inbound.address || networking.address || '';
    const dataplanePort = inbound.port ?? 0;
    const workloadIp = inbound.serviceAddress || dataplaneIp;
    const workloadPort = inbound.servicePort || dataplanePort;
    if (port === dataplanePort && overlaps(ip, parseIP(dataplaneIp))) return true;
    if (port === workloadPort && overlaps(ip, parseIP(workloadIp))) return true;
  }
  return false;
}

function usesOutboundInterface(networking: Networking, ip: number[], port: number): boolean {
  return (networking.outbound ?? []).some(
    (outbound) => port === (outbound.port ?? 0) && overlaps(ip, parseIP(outbound.address || '127.0.0.1')),
  );
}

/** Unspecified addresses (0.0.0.0, ::) overlap everything; unparsable ones overlap nothing. */
function overlaps(a: number[], b: number[] | null): boolean {
  if (b === null) return false;
  return isUnspecifiedIP(a) || isUnspecifiedIP(b) || equalIP(a, b);
}

// ---------------------------------------------------------------------------

export const DataplaneKind: KindDescriptor = {
  name: 'Dataplane',
  path: 'dataplanes',
  scope: 'Mesh',
  shortName: 'dp',
  singularDisplayName: 'Dataplane',
  pluralDisplayName: 'Dataplanes',
  readOnly: false,
  includeInFederation: false,
  envelope: 'flat',
  schema: dataplaneSchema,
  cliAliases: ['dataplane', 'dataplanes', 'dp'],
  insightKind: 'DataplaneInsight',
  validate: validateDataplane,
};

/**
 * Mesh (`api/mesh/v1alpha1/mesh.proto`): its spec schema, Kuma's `MeshResource.Validate()`
 * rules, the mesh-manager rules that need no other resources (name length, CA plugin
 * checks, CA switch on update), the server-side Prometheus defaults and small helpers.
 *
 * Backend `conf` values are free Structs that Kuma converts to typed messages before
 * checking them; conversion failures surface the Go decoder's error text, so the
 * converters below reproduce the messages of Go's encoding/json, net/url and
 * regexp/syntax for the inputs they can see.
 */
import { Buffer } from 'node:buffer';
import { isIPv6 } from 'node:net';
import type { KindDescriptor, ValidationContext } from '../core/registry.js';
import type { Spec } from '../core/resource.js';
import { t, type FieldSchema } from '../core/schema.js';
import { FieldPath, Violations, type Violation } from '../core/validation.js';
import { metricsBackendSchema } from './common.js';

// ---------------------------------------------------------------------------
// Schema

const caBackendSchema = t.message({
  name: t.string,
  type: t.string,
  dpCert: t.message({
    rotation: t.message({ expiration: t.string }),
    requestTimeout: t.duration,
  }),
  conf: t.struct,
  mode: t.enum('STRICT', 'PERMISSIVE'),
  rootChain: t.message({ requestTimeout: t.duration }),
});

const tracingBackendSchema = t.message({
  name: t.string,
  sampling: t.wrapper('double'),
  type: t.string,
  conf: t.struct,
});

const loggingBackendSchema = t.message({
  name: t.string,
  format: t.string,
  type: t.string,
  conf: t.struct,
});

const membershipRulesSchema = t.message({ tags: t.stringMap });

export const meshSchema: Record<string, FieldSchema> = {
  mtls: t.message({
    enabledBackend: t.string,
    backends: t.list(caBackendSchema),
    skipValidation: t.bool,
  }),
  tracing: t.message({ defaultBackend: t.string, backends: t.list(tracingBackendSchema) }),
  logging: t.message({ defaultBackend: t.string, backends: t.list(loggingBackendSchema) }),
  metrics: t.message({ enabledBackend: t.string, backends: t.list(metricsBackendSchema) }),
  networking: t.message({ outbound: t.message({ passthrough: t.wrapper('bool') }) }),
  routing: t.message({
    localityAwareLoadBalancing: t.bool,
    zoneEgress: t.bool,
    defaultForbidMeshExternalServiceAccess: t.bool,
  }),
  constraints: t.message({
    dataplaneProxy: t.message({
      requirements: t.list(membershipRulesSchema),
      restrictions: t.list(membershipRulesSchema),
    }),
  }),
  skipCreatingInitialPolicies: t.list(t.string),
  meshServices: t.message({ mode: t.enum('Disabled', 'Everywhere', 'ReachableBackends', 'Exclusive') }),
};

// ---------------------------------------------------------------------------
// Typed view of a normalised spec (protojson: zero values may be absent)

type Struct = Record<string, unknown>;

export interface CaBackend {
  name?: string;
  type?: string;
  dpCert?: { rotation?: { expiration?: string }; requestTimeout?: string };
  conf?: Struct;
  mode?: 'STRICT' | 'PERMISSIVE';
  rootChain?: { requestTimeout?: string };
}

export interface ObservabilityBackend {
  name?: string;
  type?: string;
  conf?: Struct;
  /** tracing only */
  sampling?: number;
  /** logging only */
  format?: string;
}

export interface MeshSpec {
  mtls?: { enabledBackend?: string; backends?: CaBackend[]; skipValidation?: boolean };
  tracing?: { defaultBackend?: string; backends?: ObservabilityBackend[] };
  logging?: { defaultBackend?: string; backends?: ObservabilityBackend[] };
  metrics?: { enabledBackend?: string; backends?: ObservabilityBackend[] };
  networking?: { outbound?: { passthrough?: boolean } };
  routing?: { localityAwareLoadBalancing?: boolean; zoneEgress?: boolean; defaultForbidMeshExternalServiceAccess?: boolean };
  constraints?: { dataplaneProxy?: { requirements?: { tags?: Record<string, string> }[]; restrictions?: { tags?: Record<string, string> }[] } };
  skipCreatingInitialPolicies?: string[];
  meshServices?: { mode?: 'Disabled' | 'Everywhere' | 'ReachableBackends' | 'Exclusive' };
}

// ---------------------------------------------------------------------------
// Helpers

export function mtlsEnabled(spec: Spec): boolean {
  return ((spec as MeshSpec).mtls?.enabledBackend ?? '') !== '';
}

/** The CA backend named by `mtls.enabledBackend`, if mTLS is on and it exists. */
export function enabledBackend(spec: Spec): CaBackend | undefined {
  const mtls = (spec as MeshSpec).mtls;
  if (!mtls?.enabledBackend) return undefined;
  return (mtls.backends ?? []).find((b) => b?.name === mtls.enabledBackend);
}

/** `networking.outbound.passthrough` is a BoolValue: absent means on. */
export function passthroughEnabled(spec: Spec): boolean {
  return (spec as MeshSpec).networking?.outbound?.passthrough !== false;
}

const DURATION_UNITS_MS: Record<string, number> = {
  y: 365 * 24 * 3600 * 1000,
  w: 7 * 24 * 3600 * 1000,
  d: 24 * 3600 * 1000,
  h: 3600 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
};

/** Kuma's own duration syntax (`10y`, `1d`, `500ms`, or a bare `0`), in milliseconds. */
export function parseKumaDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const match = /^(\d+)(y|w|d|h|ms|m|s)$/.exec(s);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS_MS[match[2]];
}

// ---------------------------------------------------------------------------
// Validation: MeshResource.Validate()

const LOGGING_TYPES = ['tcp', 'file'];
const TRACING_TYPES = ['zipkin', 'datadog'];
const MAX_CA_BACKENDS = 1;

export function validateMesh(spec: Spec, ctx: ValidationContext): Violation[] {
  const mesh = spec as MeshSpec;
  const v = new Violations();
  validateMtls(mesh.mtls, v);
  validateLogging(mesh.logging, v);
  validateTracing(mesh.tracing, v);
  validateMetrics(mesh.metrics, v);
  validateConstraints(mesh.constraints, v);
  if (mesh.routing?.zoneEgress && !mesh.mtls?.enabledBackend) v.add('mtls', 'has to be set when zoneEgress enabled');

  // mesh-manager rules (create: name length; update: CA switch), then the CA plugins
  if (ctx.previous === undefined) {
    if (Buffer.byteLength(ctx.name) > 63) v.add('name', 'cannot be longer than 63 characters');
  } else {
    const before = (ctx.previous as MeshSpec).mtls?.enabledBackend ?? '';
    const after = mesh.mtls?.enabledBackend ?? '';
    if (before !== '' && after !== '' && before !== after) {
      v.add('mtls.enabledBackend', 'Changing CA when mTLS is enabled is forbidden. Disable mTLS first and then change the CA');
    }
  }
  validateCaPlugins(ctx.name, mesh, v);
  return v.list;
}

function validateMtls(mtls: MeshSpec['mtls'], v: Violations): void {
  if (!mtls) return;
  const backends = mtls.backends ?? [];
  if (backends.length > MAX_CA_BACKENDS) v.add('mtls.backends', `cannot have more than ${MAX_CA_BACKENDS} backends`);
  const used = new Set<string>();
  backends.forEach((backend, i) => {
    const name = backend?.name ?? '';
    if (used.has(name)) v.add(`mtls.backends[${i}].name`, `${goQuote(name)} name is already used for another backend`);
    used.add(name);
    // Kuma reports this one without the backend index
    if (backend?.dpCert && parseKumaDuration(backend.dpCert.rotation?.expiration ?? '') === undefined) {
      v.add('mtls.dpcert.rotation.expiration', 'has to be a valid format');
    }
  });
  if (mtls.enabledBackend && !used.has(mtls.enabledBackend)) {
    v.add('mtls.enabledBackend', 'has to be set to one of the backends in the mesh');
  }
}

function validateLogging(logging: MeshSpec['logging'], v: Violations): void {
  if (!logging) return;
  const used = new Set<string>();
  (logging.backends ?? []).forEach((backend, i) => {
    const at = `logging.backends[${i}]`;
    const name = backend?.name ?? '';
    if (name === '') v.add(`${at}.name`, 'cannot be empty');
    // Kuma names the conf path `config` for logging and tracing backends
    if (backend?.type === 'file') validateFileLogging(backend.conf, `${at}.config`, v);
    else if (backend?.type === 'tcp') validateTcpLogging(backend.conf, `${at}.config`, v);
    else v.add(`${at}.type`, `unknown backend type. Available backends: ${LOGGING_TYPES.map(goQuote).join(', ')}`);
    if (used.has(name)) v.add(`${at}.name`, `${goQuote(name)} name is already used for another backend`);
    used.add(name);
  });
  if (logging.defaultBackend && !used.has(logging.defaultBackend)) {
    v.add('logging.defaultBackend', 'has to be set to one of the logging backend in mesh');
  }
}

function validateTcpLogging(conf: Struct | undefined, at: string, v: Violations): void {
  const cfg = decodeConf(tcpLoggingConf, conf);
  if ('error' in cfg) return v.add(at, `could not parse config: ${cfg.error}`);
  const address = (cfg.value.address as string | undefined) ?? '';
  if (address === '') return v.add(`${at}.address`, 'cannot be empty');
  const hostPort = goSplitHostPort(address);
  if (!hostPort || hostPort.host === '' || hostPort.port === '') v.add(`${at}.address`, 'has to be in format of HOST:PORT');
}

function validateFileLogging(conf: Struct | undefined, at: string, v: Violations): void {
  const cfg = decodeConf(fileLoggingConf, conf);
  if ('error' in cfg) v.add(at, `could not parse config: ${cfg.error}`);
  else if (!cfg.value.path) v.add(`${at}.path`, 'cannot be empty');
}

function validateTracing(tracing: MeshSpec['tracing'], v: Violations): void {
  if (!tracing) return;
  const used = new Set<string>();
  (tracing.backends ?? []).forEach((backend, i) => {
    const at = `tracing.backends[${i}]`;
    const name = backend?.name ?? '';
    if (name === '') v.add(`${at}.name`, 'cannot be empty');
    const sampling = backend?.sampling ?? 0;
    if (sampling < 0 || sampling > 100) v.add(`${at}.sampling`, 'has to be in [0.0 - 100.0] range');
    if (backend?.type === 'zipkin') validateZipkin(backend.conf, `${at}.config`, v);
    else if (backend?.type === 'datadog') validateDatadog(backend.conf, `${at}.config`, v);
    else v.add(`${at}.type`, `unknown backend type. Available backends: ${TRACING_TYPES.map(goQuote).join(', ')}`);
    if (used.has(name)) v.add(`${at}.name`, `${goQuote(name)} name is already used for another backend`);
    used.add(name);
  });
  if (tracing.defaultBackend && !used.has(tracing.defaultBackend)) {
    v.add('tracing.defaultBackend', 'has to be set to one of the tracing backend in mesh');
  }
}

function validateDatadog(conf: Struct | undefined, at: string, v: Violations): void {
  const cfg = decodeConf(datadogConf, conf);
  if ('error' in cfg) return v.add(at, `could not parse config: ${cfg.error}`);
  if (!cfg.value.address) v.add(`${at}.address`, 'cannot be empty');
  const port = (cfg.value.port as number | undefined) ?? 0;
  if (port === 0 || port > 65535) v.add(`${at}.port`, 'port must be in the range [1, 65535]');
}

const ZIPKIN_API_VERSIONS = ['httpJsonV1', 'httpJson', 'httpProto'];

function validateZipkin(conf: Struct | undefined, at: string, v: Violations): void {
  const cfg = decodeConf(zipkinConf, conf);
  if ('error' in cfg) return v.add(at, `could not parse config: ${cfg.error}`);
  const apiVersion = (cfg.value.apiVersion as string | undefined) ?? '';
  if (apiVersion !== '' && !ZIPKIN_API_VERSIONS.includes(apiVersion)) {
    v.add(`${at}.apiVersion`, `has invalid value. Allowed values: ${ZIPKIN_API_VERSIONS.join(', ')}`);
  }
  const url = (cfg.value.url as string | undefined) ?? '';
  if (url === '') return v.add(`${at}.url`, 'cannot be empty');
  const parsed = goParseRequestUri(url);
  if (!parsed) v.add(`${at}.url`, 'invalid URL');
  else if (parsed.port === '') v.add(`${at}.url`, 'port has to be explicitly specified');
}

function validateMetrics(metrics: MeshSpec['metrics'], v: Violations): void {
  if (!metrics) return;
  const used = new Set<string>();
  (metrics.backends ?? []).forEach((backend, i) => {
    const at = `metrics.backends[${i}]`;
    const name = backend?.name ?? '';
    if (used.has(name)) v.add(`${at}.name`, `${goQuote(name)} name is already used for another backend`);
    if (backend?.type !== 'prometheus') v.add(`${at}.type`, `unknown backend type. Available backends: ${goQuote('prometheus')}`);
    else validatePrometheus(backend.conf, `${at}.conf`, v);
    used.add(name);
  });
  if (metrics.enabledBackend && !used.has(metrics.enabledBackend)) {
    v.add('metrics.enabledBackend', 'has to be set to one of the backends in the mesh');
  }
}

interface PrometheusConf {
  port?: number;
  path?: string;
  tags?: Record<string, string>;
  skipMTLS?: boolean;
  aggregate?: { name?: string }[];
  envoy?: { filterRegex?: string };
  tls?: { mode?: string | number };
}

function validatePrometheus(conf: Struct | undefined, at: string, v: Violations): void {
  const decoded = decodeConf(prometheusConf, conf);
  if ('error' in decoded) return v.add(at, `could not parse config: ${decoded.error}`);
  const cfg = decoded.value as PrometheusConf;
  if (cfg.skipMTLS !== undefined && cfg.tls !== undefined && !tlsAgreesWithSkipMtls(cfg.skipMTLS, cfg.tls.mode)) {
    return v.add(at, 'skipMTLS and tls configuration cannot be defined together');
  }
  const regexError = goRegexpError(cfg.envoy?.filterRegex ?? '');
  if (regexError) return v.add(`${at}.envoy.filterRegex`, `provided regexp isn't correct: ${regexError}`);
  const seen = new Set<string>();
  (cfg.aggregate ?? []).forEach((entry, i) => {
    const name = entry.name ?? '';
    if (seen.has(name)) return v.add(`${at}.aggregate[${i}].name`, `duplicate entry: ${name}, values have to be unique`);
    seen.add(name);
  });
}

function tlsAgreesWithSkipMtls(skipMtls: boolean, mode: string | number | undefined): boolean {
  const active = mode === undefined; // enum value 0, activeMTLSBackend
  return (!skipMtls && active) || (skipMtls && mode === 'disabled');
}

function validateConstraints(constraints: MeshSpec['constraints'], v: Violations): void {
  const dpp = constraints?.dataplaneProxy;
  if (!dpp) return;
  (dpp.requirements ?? []).forEach((rule, i) => validateSelector(`constraints.dataplaneProxy.requirements[${i}].tags`, rule?.tags, v));
  (dpp.restrictions ?? []).forEach((rule, i) => validateSelector(`constraints.dataplaneProxy.restrictions[${i}].tags`, rule?.tags, v));
}

const TAG_NAME = /^[a-zA-Z0-9.\-_:/]*$/;
const SELECTOR_VALUE = /^([a-zA-Z0-9.\-_:/]*|\*)$/;

/** Kuma's selector check with at least one tag required; keys in Go byte order. */
function validateSelector(at: string, tags: Record<string, string> | undefined, v: Violations): void {
  const keys = Object.keys(tags ?? {}).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (keys.length === 0) v.add(at, 'must have at least one tag');
  for (const key of keys) {
    const keyAt = `${at}[${goQuote(key)}]`;
    const value = tags![key] ?? '';
    if (key === '') v.add(at, 'tag name must be non-empty');
    if (!TAG_NAME.test(key)) v.add(keyAt, 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores');
    if (value === '') v.add(keyAt, 'tag value must be non-empty');
    if (!SELECTOR_VALUE.test(value)) {
      v.add(keyAt, 'tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be "*"');
    }
  }
}

// ---------------------------------------------------------------------------
// Validation: installed CA plugins (`builtin`, `provided`)

const BUILTIN_CERT_NAME_MAX = 255;
const DNS_NAME = /^([a-zA-Z0-9_]{1}[a-zA-Z0-9_-]{0,62}){1}(\.[a-zA-Z0-9_]{1}[a-zA-Z0-9_-]{0,62})*[._]?$/;

function validateCaPlugins(meshName: string, mesh: MeshSpec, v: Violations): void {
  const backends = mesh.mtls?.backends ?? [];
  for (let i = 0; i < backends.length; i++) {
    const backend = backends[i] ?? {};
    const at = FieldPath.at('mtls').field('backends').index(i);
    const check = backend.type === 'builtin' ? validateBuiltinCa : backend.type === 'provided' ? validateProvidedCa : undefined;
    if (!check) {
      // Kuma stops at the first backend of an unknown type
      v.add(at.field('type'), 'could not find installed plugin for this type');
      return;
    }
    if (mesh.mtls?.skipValidation) continue;
    // plugin paths are appended below `conf`, even those that name other fields
    for (const violation of check(meshName, backend)) {
      const under = at.field('conf').toString();
      v.add(violation.field === '' ? under : `${under}.${violation.field}`, violation.message);
    }
  }
}

function validateBuiltinCa(meshName: string, backend: CaBackend): Violation[] {
  const out: Violation[] = [];
  const cfg = decodeConf(builtinCaConf, backend.conf);
  if ('error' in cfg) out.push({ field: '', message: `could not convert backend config: ${cfg.error}` });
  const certSecretName = `${meshName}.ca-builtin-cert-${backend.name ?? ''}`;
  if (Buffer.byteLength(certSecretName) > BUILTIN_CERT_NAME_MAX) {
    out.push({ field: 'mtls.backends.name', message: `Backend name is too long. Max length: ${BUILTIN_CERT_NAME_MAX}` });
  }
  if (!isDnsName(certSecretName) || certSecretName !== certSecretName.toLowerCase()) {
    out.push({ field: 'mtls.backends.name', message: `${goQuote(backend.name ?? '')} name must be valid dns name` });
  }
  return out;
}

/** govalidator's IsDNSName; the secret name always has a dot, so it is never an IP. */
function isDnsName(s: string): boolean {
  return s !== '' && Buffer.byteLength(s.replaceAll('.', '')) <= 255 && DNS_NAME.test(s);
}

const DATA_SOURCE_KINDS = ['secret', 'file', 'inline', 'inlineString'] as const;

/** Checks the data sources' shape; loading them (secrets, files) and the key pair checks happen elsewhere. */
function validateProvidedCa(_meshName: string, backend: CaBackend): Violation[] {
  const cfg = decodeConf(providedCaConf, backend.conf);
  if ('error' in cfg) return [{ field: '', message: `could not convert backend config: ${cfg.error}` }];
  const out: Violation[] = [];
  for (const field of ['cert', 'key'] as const) {
    const source = cfg.value[field] as Record<string, unknown> | undefined;
    if (source === undefined) {
      out.push({ field, message: 'has to be defined' });
      continue;
    }
    // a oneof: the last member present in declaration order wins
    const kind = [...DATA_SOURCE_KINDS].reverse().find((k) => source[k] !== undefined);
    if (kind === undefined) out.push({ field, message: 'data source has to be chosen. Available sources: secret, file, inline' });
    else if (kind === 'secret' && source.secret === '') out.push({ field: `${field}.secret`, message: 'cannot be empty' });
    else if (kind === 'file' && source.file === '') out.push({ field: `${field}.file`, message: 'cannot be empty' });
    else if (kind === 'inline' && (source.inline as Uint8Array).length === 0) {
      out.push({ field: `${field}.inline`, message: 'cannot be empty' });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Defaults (MeshResource.Default): Prometheus backends get their conf filled in

const PROMETHEUS_DEFAULT_PORT = 5670;
const PROMETHEUS_DEFAULT_PATH = '/metrics';

export function applyMeshDefaults(spec: Spec): Spec {
  const metrics = (spec as MeshSpec).metrics;
  if (!metrics?.backends?.length) return spec;
  const backends = metrics.backends.map((b) => (b?.type === 'prometheus' ? withPrometheusDefaults(b) : b));
  return { ...spec, metrics: { ...metrics, backends } };
}

function withPrometheusDefaults(backend: ObservabilityBackend): ObservabilityBackend {
  const decoded = decodeConf(prometheusConf, backend.conf);
  // an unreadable conf is left as is for validation to report
  if ('error' in decoded) return backend;
  const cfg = decoded.value as PrometheusConf;
  if (cfg.tls === undefined) cfg.tls = cfg.skipMTLS === true ? { mode: 'disabled' } : {};
  if (cfg.skipMTLS !== undefined && cfg.tls.mode === 'providedTLS') delete cfg.skipMTLS;
  if (!cfg.port) cfg.port = PROMETHEUS_DEFAULT_PORT;
  if (!cfg.path) cfg.path = PROMETHEUS_DEFAULT_PATH;
  if (!cfg.tags) cfg.tags = { 'kuma.io/service': 'dataplane-metrics' };
  return { ...backend, conf: cfg as Struct };
}

// ---------------------------------------------------------------------------
// Descriptor

export const MeshKind: KindDescriptor = {
  name: 'Mesh',
  path: 'meshes',
  scope: 'Global',
  shortName: 'm',
  singularDisplayName: 'Mesh',
  pluralDisplayName: 'Meshes',
  readOnly: false,
  includeInFederation: true,
  envelope: 'flat',
  schema: meshSchema,
  cliAliases: ['mesh', 'meshes'],
  validate: validateMesh,
  applyDefaults: applyMeshDefaults,
};

// ===========================================================================
// Typed conf decoding with the Go decoder's error texts.
//
// Kuma renders the Struct as JSON and decodes it into the typed message, ignoring
// unknown fields; fields are visited in declaration order and the first error wins.
// The decoded value is normalised like protojson output (zero scalars omitted,
// wrappers and messages kept), which is also what Kuma writes back as defaults.

type ConfType =
  | 'string'
  | 'oneofString'
  | 'bool'
  | 'uint32'
  | 'boolValue'
  | 'uint32Value'
  | 'bytesValue'
  | 'stringMap'
  | { enumName: string; values: readonly string[] }
  | { message: ConfMessage }
  | { listOf: ConfMessage };
type ConfMessage = Record<string, ConfType>;
type Decoded<T> = { value: T } | { error: string };

const tcpLoggingConf: ConfMessage = { address: 'string' };
const fileLoggingConf: ConfMessage = { path: 'string' };
const zipkinConf: ConfMessage = { url: 'string', traceId128bit: 'bool', apiVersion: 'string', sharedSpanContext: 'boolValue' };
const datadogConf: ConfMessage = { address: 'string', port: 'uint32', splitService: 'bool' };
const prometheusConf: ConfMessage = {
  port: 'uint32',
  path: 'string',
  tags: 'stringMap',
  skipMTLS: 'boolValue',
  aggregate: { listOf: { name: 'string', port: 'uint32', path: 'string', enabled: 'boolValue', address: 'string' } },
  envoy: { message: { filterRegex: 'string', usedOnly: 'boolValue' } },
  tls: {
    message: {
      mode: {
        enumName: 'kuma.mesh.v1alpha1.PrometheusTlsConfig.Mode',
        values: ['activeMTLSBackend', 'providedTLS', 'disabled'],
      },
    },
  },
};
const builtinCaConf: ConfMessage = { caCert: { message: { RSAbits: 'uint32Value', expiration: 'string' } } };
const dataSourceConf: ConfMessage = { secret: 'oneofString', file: 'oneofString', inline: 'bytesValue', inlineString: 'oneofString' };
const providedCaConf: ConfMessage = { cert: { message: dataSourceConf }, key: { message: dataSourceConf } };

function decodeConf(fields: ConfMessage, conf: Struct | undefined): Decoded<Record<string, unknown>> {
  return decodeMessage(fields, conf ?? {});
}

function decodeMessage(fields: ConfMessage, obj: Record<string, unknown>): Decoded<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(fields)) {
    const raw = Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
    if (raw === undefined || raw === null) continue;
    const decoded = decodeField(type, raw);
    if ('error' in decoded) return decoded;
    if (decoded.value !== undefined) out[name] = decoded.value;
  }
  return { value: out };
}

function typeMismatch(value: unknown, goType: string): { error: string } {
  return { error: `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}` };
}

function decodeField(type: ConfType, raw: unknown): Decoded<unknown> {
  switch (type) {
    case 'string':
      return typeof raw === 'string' ? { value: raw || undefined } : typeMismatch(raw, 'string');
    case 'oneofString': // a oneof member is selected even by its zero value
      return typeof raw === 'string' ? { value: raw } : typeMismatch(raw, 'string');
    case 'bool':
      return typeof raw === 'boolean' ? { value: raw || undefined } : typeMismatch(raw, 'bool');
    case 'boolValue':
      return typeof raw === 'boolean' ? { value: raw } : typeMismatch(raw, 'bool');
    case 'uint32': {
      const n = decodeUint32(raw);
      return 'error' in n ? n : { value: n.value || undefined };
    }
    case 'uint32Value':
      return decodeUint32(raw);
    case 'bytesValue':
      return decodeBytes(raw);
    case 'stringMap': {
      if (!isObject(raw)) return typeMismatch(raw, 'map[string]json.RawMessage');
      const out: Record<string, string> = {};
      for (const [k, item] of Object.entries(raw)) {
        if (item !== null && typeof item !== 'string') return typeMismatch(item, 'string');
        out[k] = item ?? '';
      }
      return { value: Object.keys(out).length > 0 ? out : undefined };
    }
  }
  if ('enumName' in type) return decodeEnum(type.enumName, type.values, raw);
  if ('message' in type) return isObject(raw) ? decodeMessage(type.message, raw) : typeMismatch(raw, 'map[string]json.RawMessage');
  if (!Array.isArray(raw)) return typeMismatch(raw, '[]json.RawMessage');
  const items: Record<string, unknown>[] = [];
  for (const item of raw) {
    if (item === null) {
      items.push({});
      continue;
    }
    if (!isObject(item)) return typeMismatch(item, 'map[string]json.RawMessage');
    const decoded = decodeMessage(type.listOf, item);
    if ('error' in decoded) return decoded;
    items.push(decoded.value);
  }
  return { value: items.length > 0 ? items : undefined };
}

/** Unsigned ints go through the legacy decoder's quote stripping, so `"80"` is accepted as 80. */
function decodeUint32(raw: unknown): Decoded<number> {
  let kind: string;
  let literal = '';
  if (typeof raw === 'string') {
    const scanned = scanGoJson(goJsonString(raw).slice(1, -1));
    if ('error' in scanned) return scanned;
    ({ kind, literal } = scanned);
  } else {
    kind = jsonKind(raw);
    if (typeof raw === 'number') literal = goFloatText(raw);
  }
  if (kind === 'null') return { value: 0 };
  if (kind !== 'number') return { error: `json: cannot unmarshal ${kind} into Go value of type uint32` };
  if (/^\d+$/.test(literal) && BigInt(literal) <= 0xffffffffn) return { value: Number(literal) };
  return { error: `json: cannot unmarshal number ${literal} into Go value of type uint32` };
}

function decodeEnum(enumName: string, values: readonly string[], raw: unknown): Decoded<unknown> {
  if (typeof raw === 'string') {
    const index = values.indexOf(raw);
    if (index < 0) return { error: `unknown value ${goQuote(goJsonString(raw))} for enum ${enumName}` };
    return { value: index === 0 ? undefined : raw };
  }
  if (typeof raw !== 'number') return typeMismatch(raw, 'protoreflect.EnumNumber');
  const literal = goFloatText(raw);
  if (!/^-?\d+$/.test(literal) || raw < -2147483648 || raw > 2147483647) {
    return { error: `json: cannot unmarshal number ${literal} into Go value of type protoreflect.EnumNumber` };
  }
  return { value: raw === 0 ? undefined : (values[raw] ?? raw) };
}

function decodeBytes(raw: unknown): Decoded<Uint8Array> {
  if (typeof raw === 'string') {
    const bytes = Buffer.from(raw, 'utf8');
    const corruptAt = goBase64CorruptOffset(bytes);
    if (corruptAt !== undefined) return { error: `illegal base64 data at input byte ${corruptAt}` };
    return { value: Buffer.from(raw, 'base64') };
  }
  if (!Array.isArray(raw)) return typeMismatch(raw, '[]uint8');
  const out: number[] = [];
  for (const item of raw) {
    if (item === null) out.push(0);
    else if (typeof item !== 'number') return typeMismatch(item, 'uint8');
    else if (!Number.isInteger(item) || item < 0 || item > 255) {
      return { error: `json: cannot unmarshal number ${goFloatText(item)} into Go value of type uint8` };
    } else out.push(item);
  }
  return { value: Uint8Array.from(out) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number, object
}

/** encoding/json's float64 text, which JavaScript's shortest form matches apart from -0. */
function goFloatText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** encoding/json's string encoding (HTML-safe escapes included). */
function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote (`%q`). */
export function goQuote(s: string): string {
  const short: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (short[ch]) out += short[ch];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (GO_PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Go's json scanner quoting of an offending byte. */
function goQuoteByte(text: string, i: number): string {
  const byte = Buffer.from(text.slice(i, i + 2), 'utf8')[0];
  if (byte === 0x27) return `'\\''`;
  if (byte === 0x22) return `'"'`;
  return `'${goQuote(String.fromCharCode(byte)).slice(1, -1)}'`;
}

/** Syntax check of one JSON text with encoding/json's messages; returns the top-level kind. */
function scanGoJson(src: string): { kind: string; literal: string } | { error: string } {
  let i = 0;
  const fail = (context: string): never => {
    throw new GoJsonSyntaxError(i >= src.length ? 'unexpected end of JSON input' : `invalid character ${goQuoteByte(src, i)} ${context}`);
  };
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const skipSpace = () => {
    while (i < src.length && ' \t\n\r'.includes(src[i])) i++;
  };
  const digits = () => {
    while (isDigit(src[i])) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (src[i] !== word[k]) fail(`in literal ${word} (expecting ${goQuoteByte(word, k)})`);
    }
  };
  const string = () => {
    i++;
    for (;;) {
      const c = src[i];
      if (c === undefined) fail('');
      if (c === '"') return void i++;
      if (c === '\\') {
        i++;
        if (src[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/^[0-9a-fA-F]$/.test(src[i] ?? '')) fail('in \\u hexadecimal character escape');
        } else if (src[i] !== undefined && '"\\/bfnrt'.includes(src[i])) i++;
        else fail('in string escape code');
      } else if (c < ' ') fail('in string literal');
      else i++;
    }
  };
  const number = () => {
    if (src[i] === '-') {
      i++;
      if (!isDigit(src[i])) fail('in numeric literal');
    }
    if (src[i] === '0') i++;
    else digits();
    if (src[i] === '.') {
      i++;
      if (!isDigit(src[i])) fail('after decimal point in numeric literal');
      digits();
    }
    if (src[i] === 'e' || src[i] === 'E') {
      i++;
      if (src[i] === '+' || src[i] === '-') i++;
      if (!isDigit(src[i])) fail('in exponent of numeric literal');
      digits();
    }
  };
  const value = (): string => {
    skipSpace();
    const c = src[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (src[i] === '}') return (i++, 'object');
      for (;;) {
        skipSpace();
        if (src[i] !== '"') fail('looking for beginning of object key string');
        string();
        skipSpace();
        if (src[i] !== ':') fail('after object key');
        i++;
        value();
        skipSpace();
        if (src[i] === '}') return (i++, 'object');
        if (src[i] !== ',') fail('after object key:value pair');
        i++;
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (src[i] === ']') return (i++, 'array');
      for (;;) {
        value();
        skipSpace();
        if (src[i] === ']') return (i++, 'array');
        if (src[i] !== ',') fail('after array element');
        i++;
      }
    }
    if (c === '"') return (string(), 'string');
    if (c === '-' || isDigit(c)) return (number(), 'number');
    if (c === 't') return (literal('true'), 'bool');
    if (c === 'f') return (literal('false'), 'bool');
    if (c === 'n') return (literal('null'), 'null');
    return fail('looking for beginning of value');
  };
  try {
    const start = (skipSpace(), i);
    const kind = value();
    const literalText = src.slice(start, i);
    skipSpace();
    if (i < src.length) fail('after top-level value');
    return { kind, literal: literalText };
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return { error: e.message };
    throw e;
  }
}

class GoJsonSyntaxError extends Error {}

const BASE64_ALPHABET = new Set(Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'));

/** Where Go's padded standard base64 decoder gives up, or undefined when it succeeds. */
function goBase64CorruptOffset(src: Uint8Array): number | undefined {
  const isNewline = (b: number) => b === 0x0a || b === 0x0d;
  let si = 0;
  while (si < src.length) {
    for (let j = 0; j < 4; j++) {
      if (si === src.length) return j === 0 ? undefined : si - j;
      const c = src[si++];
      if (BASE64_ALPHABET.has(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d || j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 0x3d) return si - 1;
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// net.SplitHostPort and url.ParseRequestURI, reduced to what the checks need

function goSplitHostPort(hostport: string): { host: string; port: string } | undefined {
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host: string;
  let from = 0;
  let to = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== colon) return undefined;
    host = hostport.slice(1, end);
    from = 1;
    to = end + 1;
  } else {
    host = hostport.slice(0, colon);
    if (host.includes(':')) return undefined;
  }
  if (hostport.indexOf('[', from) >= 0 || hostport.indexOf(']', to) >= 0) return undefined;
  return { host, port: hostport.slice(colon + 1) };
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const HOST_EXTRA = new Set("!$&'()*+,;=:[]<>\"-_.~");

/** Whether url.unescape accepts `s` in the given URL part. */
function goUnescapeOk(s: string, mode: 'host' | 'zone' | 'other'): boolean {
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return false;
      const escaped = s.slice(i, i + 3);
      if (mode === 'host' && parseInt(s[i + 1], 16) < 8 && escaped !== '%25') return false;
      if (mode === 'zone') {
        const byte = String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
        if (escaped !== '%25' && byte !== ' ' && !isHostByte(byte)) return false;
      }
      i += 3;
      continue;
    }
    if (mode !== 'other' && c.charCodeAt(0) < 0x80 && !isHostByte(c)) return false;
    i++;
  }
  return true;
}

function isHostByte(c: string): boolean {
  return /^[A-Za-z0-9]$/.test(c) || HOST_EXTRA.has(c);
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:\d*$/.test(port);
}

function goParseHost(host: string): boolean {
  if (host.startsWith('[')) {
    const end = host.lastIndexOf(']');
    if (end < 0 || !validOptionalPort(host.slice(end + 1))) return false;
    const zone = host.slice(0, end).indexOf('%25');
    const literal = zone >= 0 ? host.slice(1, zone) : host.slice(1, end);
    if (zone >= 0 && (!goUnescapeOk(host.slice(0, zone), 'host') || !goUnescapeOk(host.slice(zone, end), 'zone'))) return false;
    // only IPv6 addresses may sit between brackets
    return isIPv6(literal) && goUnescapeOk(zone >= 0 ? host.slice(end) : host, 'host');
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !validOptionalPort(host.slice(colon))) return false;
  return goUnescapeOk(host, 'host');
}

/** url.ParseRequestURI: undefined when Go rejects the URL, else the port `URL.Port()` would give. */
function goParseRequestUri(raw: string): { port: string } | undefined {
  if (/[\x00-\x1f\x7f]/.test(raw) || raw === '') return undefined;
  if (raw === '*') return { port: '' };
  let scheme = '';
  let rest = raw;
  const schemeEnd = /^[A-Za-z][A-Za-z0-9+\-.]*:/.exec(raw);
  if (raw[0] === ':') return undefined; // missing protocol scheme
  if (schemeEnd) {
    scheme = schemeEnd[0].slice(0, -1);
    rest = raw.slice(schemeEnd[0].length);
  }
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes('?')) rest = rest.slice(0, rest.indexOf('?'));
  if (!rest.startsWith('/')) return scheme !== '' ? { port: '' } : undefined;
  let host = '';
  if (scheme !== '' && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash >= 0 ? authority.slice(slash) : '';
    if (slash >= 0) authority = authority.slice(0, slash);
    const at = authority.lastIndexOf('@');
    host = at >= 0 ? authority.slice(at + 1) : authority;
    if (!goParseHost(host)) return undefined;
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo) || !goUnescapeOk(userinfo, 'other')) return undefined;
    }
  }
  if (!goUnescapeOk(rest, 'other')) return undefined;
  const colon = host.lastIndexOf(':');
  return { port: colon >= 0 && validOptionalPort(host.slice(colon)) ? host.slice(colon + 1) : '' };
}

// ---------------------------------------------------------------------------
// regexp.Compile syntax errors (RE2 as Go parses it, Perl flags on)

class Re2SyntaxError extends Error {
  constructor(code: string, fragment: string) {
    super(`error parsing regexp: ${code}: \`${fragment}\``);
  }
}

const POSIX_CLASSES = new Set(
  ['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit'].flatMap(
    (n) => [`[:${n}:]`, `[:^${n}:]`],
  ),
);

// Go's unicode category names and aliases, in regexp/syntax's canonical spelling
const UNICODE_CATEGORIES = new Set(
  (
    'Any Assigned Ascii Lc C Cc Cf Cn Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs ' +
    'Casedletter Closepunctuation Combiningmark Connectorpunctuation Control Currencysymbol Dashpunctuation Decimalnumber ' +
    'Enclosingmark Finalpunctuation Format Initialpunctuation Letter Letternumber Lineseparator Lowercaseletter Mark Mathsymbol ' +
    'Modifierletter Modifiersymbol Nonspacingmark Number Openpunctuation Other Otherletter Othernumber Otherpunctuation ' +
    'Othersymbol Paragraphseparator Privateuse Punctuation Separator Spaceseparator Spacingmark Surrogate Symbol Titlecaseletter ' +
    'Unassigned Uppercaseletter Cntrl Digit Punct'
  ).split(' '),
);

function canonicalUnicodeName(name: string): string {
  let out = '';
  for (const c of name) {
    if (c === '_' || c === '-' || c === ' ') continue;
    out += out === '' ? c.toUpperCase() : c.toLowerCase();
  }
  return out;
}

function isUnicodeClassName(name: string): boolean {
  const canonical = canonicalUnicodeName(name);
  if (UNICODE_CATEGORIES.has(canonical)) return true;
  if (!/^[A-Za-z]+$/.test(canonical)) return false;
  try {
    new RegExp(`\\p{Script=${canonical}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Go's regexp.Compile error text for `expr`, or undefined when it compiles. */
function goRegexpError(expr: string): string | undefined {
  try {
    checkRe2Syntax(expr);
    return undefined;
  } catch (e) {
    if (e instanceof Re2SyntaxError) return e.message;
    throw e;
  }
}

function checkRe2Syntax(whole: string): void {
  const fail = (code: string, fragment: string): never => {
    throw new Re2SyntaxError(code, fragment);
  };
  const runeLength = (at: number) => (whole.codePointAt(at)! > 0xffff ? 2 : 1);
  const hexValue = (c: string | undefined) => (isHex(c) ? parseInt(c!, 16) : -1);
  const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';

  /** A single-character escape at `at`; returns [next index, rune]. */
  const escape = (at: number): [number, number] => {
    if (at + 1 >= whole.length) fail('trailing backslash at end of expression', '');
    const c = whole[at + 1];
    const cp = whole.codePointAt(at + 1)!;
    let k = at + 1 + runeLength(at + 1);
    const invalid = (): never => fail('invalid escape sequence', whole.slice(at, k));
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return [k, cp];
    if (c >= '1' && c <= '7' && !isOctal(whole[k])) invalid();
    if (c >= '0' && c <= '7') {
      let r = cp - 0x30;
      for (let n = 1; n < 3 && isOctal(whole[k]); n++, k++) r = r * 8 + (whole.charCodeAt(k) - 0x30);
      return [k, r];
    }
    if (c === 'x') {
      if (k >= whole.length) invalid();
      const first = whole[k];
      k += runeLength(k);
      if (first === '{') {
        let digits = 0;
        let r = 0;
        for (;;) {
          if (k >= whole.length) invalid();
          const d = whole[k];
          k += runeLength(k);
          if (d === '}') break;
          if (hexValue(d) < 0) invalid();
          r = r * 16 + hexValue(d);
          if (r > 0x10ffff) invalid();
          digits++;
        }
        if (digits === 0) invalid();
        return [k, r];
      }
      const second = whole[k];
      if (k < whole.length) k += runeLength(k);
      if (hexValue(first) < 0 || hexValue(second) < 0) invalid();
      return [k, hexValue(first) * 16 + hexValue(second)];
    }
    const cEscapes: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (c in cEscapes) return [k, cEscapes[c]];
    return invalid();
  };

  /** `\p{Name}` / `\pN` at `at`; returns the next index. */
  const unicodeClass = (at: number): number => {
    const s = whole.slice(at);
    let seq: string;
    let name: string;
    if (s[2] !== '{') {
      seq = s.slice(0, s.length > 2 ? 2 + runeLength(at + 2) : 2);
      name = seq.slice(2);
    } else {
      const end = s.indexOf('}');
      if (end < 0) fail('invalid character class range', s);
      seq = s.slice(0, end + 1);
      name = s.slice(3, end);
    }
    if (name.startsWith('^')) name = name.slice(1);
    if (!isUnicodeClassName(name)) fail('invalid character class range', seq);
    return at + seq.length;
  };

  /** A bracketed class starting at `at`; returns the index after `]`. */
  const charClass = (at: number): number => {
    const wholeClass = whole.slice(at);
    let k = at + 1;
    if (whole[k] === '^') k++;
    const classChar = (from: number): [number, number] => {
      if (from >= whole.length) fail('missing closing ]', wholeClass);
      if (whole[from] === '\\') return escape(from);
      return [from + runeLength(from), whole.codePointAt(from)!];
    };
    for (let first = true; k >= whole.length || whole[k] !== ']' || first; first = false) {
      if (whole.length - k > 2 && whole[k] === '[' && whole[k + 1] === ':') {
        const end = whole.indexOf(':]', k + 2);
        if (end >= 0) {
          const name = whole.slice(k, end + 2);
          if (!POSIX_CLASSES.has(name)) fail('invalid character class range', name);
          k = end + 2;
          continue;
        }
      }
      if (whole[k] === '\\' && (whole[k + 1] === 'p' || whole[k + 1] === 'P')) {
        k = unicodeClass(k);
        continue;
      }
      if (whole[k] === '\\' && whole[k + 1] !== undefined && 'dDsSwW'.includes(whole[k + 1])) {
        k += 2;
        continue;
      }
      const rangeStart = k;
      const [afterLo, lo] = classChar(k);
      k = afterLo;
      if (whole.length - k >= 2 && whole[k] === '-' && whole[k + 1] !== ']') {
        const [afterHi, hi] = classChar(k + 1);
        k = afterHi;
        if (hi < lo) fail('invalid character class range', whole.slice(rangeStart, k));
      }
    }
    return k + 1;
  };

  /** `(?…` at `at`: flags, non-capturing or named group; returns [next index, opens a group]. */
  const perlGroup = (at: number): [number, boolean] => {
    const s = whole.slice(at);
    const startsWithP = s.length > 4 && s[2] === 'P' && s[3] === '<';
    const startsWithName = s.length > 3 && s[2] === '<';
    if (startsWithP || startsWithName) {
      const end = s.indexOf('>');
      if (end < 0) fail('invalid named capture', s);
      if (!/^[A-Za-z0-9_]+$/.test(s.slice(startsWithName ? 3 : 4, end))) fail('invalid named capture', s.slice(0, end + 1));
      return [at + end + 1, true];
    }
    let k = 2;
    let negated = false;
    let sawFlag = false;
    while (k < s.length) {
      const c = s[k];
      k += runeLength(at + k);
      if ('imsU'.includes(c)) sawFlag = true;
      else if (c === '-' && !negated) {
        negated = true;
        sawFlag = false;
      } else if ((c === ':' || c === ')') && (!negated || sawFlag)) return [at + k, c === ':'];
      else break;
    }
    return fail('invalid or unsupported Perl syntax', s.slice(0, k));
  };

  let i = 0;
  let depth = 0;
  let hasOperand = false; // something a repetition operator could apply to
  let previousRepeat = -1; // start of the repetition operator just parsed, if any

  const repetition = (start: number, end: number, lastRepeat: number): number => {
    if (whole[end] === '?') end++;
    if (lastRepeat >= 0) fail('invalid nested repetition operator', whole.slice(lastRepeat, end));
    if (!hasOperand) fail('missing argument to repetition operator', whole.slice(start, end));
    return end;
  };

  while (i < whole.length) {
    const lastRepeat = previousRepeat;
    previousRepeat = -1;
    const c = whole[i];
    if (c === '(') {
      let opens = true;
      if (whole[i + 1] === '?') [i, opens] = perlGroup(i);
      else i++;
      if (opens) {
        depth++;
        hasOperand = false;
      }
    } else if (c === '|') {
      hasOperand = false;
      i++;
    } else if (c === ')') {
      if (depth === 0) fail('unexpected )', whole);
      depth--;
      hasOperand = true;
      i++;
    } else if (c === '[') {
      i = charClass(i);
      hasOperand = true;
    } else if (c === '*' || c === '+' || c === '?') {
      const end = repetition(i, i + 1, lastRepeat);
      previousRepeat = i;
      i = end;
    } else if (c === '{') {
      const m = /^\{(0|[1-9][0-9]*)(,(0|[1-9][0-9]*)?)?\}/.exec(whole.slice(i));
      if (!m) {
        hasOperand = true; // a literal brace
        i++;
        continue;
      }
      const min = m[1].length > 9 ? -1 : Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === undefined ? -1 : m[3].length > 9 ? -2 : Number(m[3]);
      if (min < 0 || max === -2 || min > 1000 || max > 1000 || (max >= 0 && min > max)) {
        fail('invalid repeat count', m[0]);
      }
      const end = repetition(i, i + m[0].length, lastRepeat);
      previousRepeat = i;
      i = end;
    } else if (c === '\\') {
      const next = whole[i + 1];
      if (next !== undefined && 'AbBz'.includes(next)) {
        i += 2;
      } else if (next === 'C') {
        fail('invalid escape sequence', '\\C');
      } else if (next === 'Q') {
        const end = whole.indexOf('\\E', i + 2);
        const literalText = end < 0 ? whole.slice(i + 2) : whole.slice(i + 2, end);
        i = end < 0 ? whole.length : end + 2;
        if (literalText === '') continue;
      } else if (next === 'p' || next === 'P') {
        i = unicodeClass(i);
      } else if (next !== undefined && 'dDsSwW'.includes(next)) {
        i += 2;
      } else {
        i = escape(i)[0];
      }
      hasOperand = true;
    } else {
      hasOperand = true; // literal, `.`, `^`, `$`
      i += runeLength(i);
    }
  }
  if (depth > 0) fail('missing closing )', whole);
}

/**
 * Mesh (`api/mesh/v1alpha1/mesh.proto`): its spec schema, Kuma's `MeshResource.Validate()`
 * rules, the mesh-manager rules that need no other resources (name length, CA plugin
 * checks, CA switch on update), the server-side Prometheus defaults and small helpers.
 */
import { Buffer } from 'node:buffer';
import { isDnsName } from '../core/go-compat/dns-name.js';
import { splitHostPort } from '../core/go-compat/host-port.js';
import { goQuote } from '../core/go-compat/quote.js';
import { sortedKeys } from '../core/go-compat/sort.js';
import { decodeConf, type ConfMessage } from '../core/go-compat/typed-conf.js';
import { parseRequestUri } from '../core/go-compat/url.js';
import type { KindDescriptor, ValidationContext } from '../core/registry.js';
import type { Spec } from '../core/resource.js';
import { t, type FieldSchema } from '../core/schema.js';
import { FieldPath, Violations, type Violation } from '../core/validation.js';
import { metricsBackendSchema } from './common.js';
import { PROMETHEUS_TYPE, decodePrometheusConf, validatePrometheusConf } from './prometheus.js';

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

// backend confs are free Structs that Kuma converts to these typed messages before checking them
const tcpLoggingConf: ConfMessage = { address: 'string' };
const fileLoggingConf: ConfMessage = { path: 'string' };
const zipkinConf: ConfMessage = { url: 'string', traceId128bit: 'bool', apiVersion: 'string', sharedSpanContext: 'boolValue' };
const datadogConf: ConfMessage = { address: 'string', port: 'uint32', splitService: 'bool' };
const builtinCaConf: ConfMessage = { caCert: { message: { RSAbits: 'uint32Value', expiration: 'string' } } };
const dataSourceConf: ConfMessage = { secret: 'oneofString', file: 'oneofString', inline: 'bytesValue', inlineString: 'oneofString' };
const providedCaConf: ConfMessage = { cert: { message: dataSourceConf }, key: { message: dataSourceConf } };

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
  const hostPort = splitHostPort(address);
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
  const parsed = parseRequestUri(url);
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
    if (backend?.type !== PROMETHEUS_TYPE) v.add(`${at}.type`, `unknown backend type. Available backends: ${goQuote(PROMETHEUS_TYPE)}`);
    else validatePrometheusConf(backend.conf, FieldPath.at('metrics').field('backends').index(i).field('conf'), v);
    used.add(name);
  });
  if (metrics.enabledBackend && !used.has(metrics.enabledBackend)) {
    v.add('metrics.enabledBackend', 'has to be set to one of the backends in the mesh');
  }
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
  const keys = sortedKeys(tags ?? {});
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
  const backends = metrics.backends.map((b) => (b?.type === PROMETHEUS_TYPE ? withPrometheusDefaults(b) : b));
  return { ...spec, metrics: { ...metrics, backends } };
}

function withPrometheusDefaults(backend: ObservabilityBackend): ObservabilityBackend {
  const decoded = decodePrometheusConf(backend.conf);
  // an unreadable conf is left as is for validation to report
  if ('error' in decoded) return backend;
  const cfg = decoded.value;
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


/**
 * The JSON body kuma-dp sends to `POST /bootstrap` (`pkg/xds/bootstrap/types/bootstrap_request.go`),
 * decoded the way Go's encoding/json does: unknown fields and nulls are ignored, keys match
 * case-insensitively, and a value of the wrong type is an error naming the field.
 */

export interface KumaDpVersion {
  version: string;
  gitTag: string;
  gitCommit: string;
  buildDate: string;
}

export interface EnvoyVersion {
  version: string;
  build: string;
  kumaDpCompatible: boolean;
}

export type JsonObject = Record<string, unknown>;

export interface BootstrapRequest {
  mesh: string;
  name: string;
  /** `dataplane` when the request leaves it empty. */
  proxyType: string;
  dataplaneToken: string;
  dataplaneTokenPath: string;
  /** The Dataplane as a JSON string (Universal); empty when the CP already has it. */
  dataplaneResource: string;
  version: { kumaDp: KumaDpVersion; envoy: EnvoyVersion };
  caCert: string;
  dynamicMetadata: Record<string, string>;
  otelEnv?: JsonObject;
  dnsPort: number;
  readinessPort: number;
  /** Sent under the wire key `appProbeProxyDisabled`, which (historically) carries the "enabled" flag. */
  appProbeProxyEnabled: boolean;
  operatingSystem: string;
  features: string[];
  resources: { maxHeapSizeBytes: number };
  workdir: string;
  metricsResources: { certPath: string; keyPath: string };
  systemCaPath: string;
  /** Transparent-proxy settings (`dataplaneConfig` on the wire), passed through as sent. */
  transparentProxy?: JsonObject;
  ipv6Enabled: boolean;
  spireResources: { socketPath: string };
}

/** The body is not a bootstrap request; `field` names the offending field ('' for the body itself). */
export class BootstrapRequestError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(field ? `${field}: ${reason}` : reason);
    this.name = 'BootstrapRequestError';
  }
}

const MAX_UINT32 = 0xffff_ffff;

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : kindOf(v) === 'number' ? String(v) : `a JSON ${kindOf(v)}`;
}

/** Reads one JSON object's fields by Go's rules: exact key first, else a case-insensitive match. */
class ObjectReader {
  private readonly folded = new Map<string, string>();

  constructor(
    private readonly obj: JsonObject,
    private readonly path: string,
  ) {
    for (const key of Object.keys(obj)) {
      const lower = key.toLowerCase();
      if (!this.folded.has(lower)) this.folded.set(lower, key);
    }
  }

  static of(value: unknown, path: string): ObjectReader | undefined {
    if (value === undefined || value === null) return undefined;
    if (kindOf(value) !== 'object') throw new BootstrapRequestError(path, `expected a JSON object, got ${describe(value)}`);
    return new ObjectReader(value as JsonObject, path);
  }

  private fieldPath(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  private raw(name: string): unknown {
    if (Object.hasOwn(this.obj, name)) return this.obj[name];
    const key = this.folded.get(name.toLowerCase());
    return key === undefined ? undefined : this.obj[key];
  }

  string(name: string): string {
    const v = this.raw(name);
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw new BootstrapRequestError(this.fieldPath(name), `expected a string, got ${describe(v)}`);
    return v;
  }

  bool(name: string): boolean {
    const v = this.raw(name);
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw new BootstrapRequestError(this.fieldPath(name), `expected a boolean, got ${describe(v)}`);
    return v;
  }

  unsigned(name: string, max: number): number {
    const v = this.raw(name);
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      throw new BootstrapRequestError(this.fieldPath(name), `expected an integer in the range [0, ${max}], got ${describe(v)}`);
    }
    return v;
  }

  object(name: string): ObjectReader | undefined {
    return ObjectReader.of(this.raw(name), this.fieldPath(name));
  }

  /** An object kept as sent (nested shapes the CP only passes on). */
  passThrough(name: string): JsonObject | undefined {
    return this.object(name)?.obj;
  }

  stringMap(name: string): Record<string, string> {
    const reader = this.object(name);
    const out: Record<string, string> = {};
    if (!reader) return out;
    for (const [k, v] of Object.entries(reader.obj)) {
      if (v === null) continue;
      if (typeof v !== 'string') throw new BootstrapRequestError(`${reader.path}["${k}"]`, `expected a string, got ${describe(v)}`);
      out[k] = v;
    }
    return out;
  }

  stringList(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new BootstrapRequestError(this.fieldPath(name), `expected a list of strings, got ${describe(v)}`);
    return v.map((item, i) => {
      if (typeof item !== 'string') throw new BootstrapRequestError(`${this.fieldPath(name)}[${i}]`, `expected a string, got ${describe(item)}`);
      return item;
    });
  }
}

const EMPTY = new ObjectReader({}, '');

/** Decodes an already-parsed JSON body. */
export function parseBootstrapRequest(body: unknown): BootstrapRequest {
  const r = ObjectReader.of(body, '');
  if (!r) throw new BootstrapRequestError('', 'the request body must be a JSON object');
  const version = r.object('version') ?? EMPTY;
  const kumaDp = version.object('kumaDp') ?? EMPTY;
  const envoy = version.object('envoy') ?? EMPTY;
  const resources = r.object('resources') ?? EMPTY;
  const metrics = r.object('metricsResources') ?? EMPTY;
  const spire = r.object('spireResources') ?? EMPTY;
  const req: BootstrapRequest = {
    mesh: r.string('mesh'),
    name: r.string('name'),
    proxyType: r.string('proxyType') || 'dataplane',
    dataplaneToken: r.string('dataplaneToken'),
    dataplaneTokenPath: r.string('dataplaneTokenPath'),
    dataplaneResource: r.string('dataplaneResource'),
    version: {
      kumaDp: {
        version: kumaDp.string('version'),
        gitTag: kumaDp.string('gitTag'),
        gitCommit: kumaDp.string('gitCommit'),
        buildDate: kumaDp.string('buildDate'),
      },
      envoy: {
        version: envoy.string('version'),
        build: envoy.string('build'),
        kumaDpCompatible: envoy.bool('kumaDpCompatible'),
      },
    },
    caCert: r.string('caCert'),
    dynamicMetadata: r.stringMap('dynamicMetadata'),
    dnsPort: r.unsigned('dnsPort', MAX_UINT32),
    readinessPort: r.unsigned('readinessPort', MAX_UINT32),
    appProbeProxyEnabled: r.bool('appProbeProxyDisabled'),
    operatingSystem: r.string('operatingSystem'),
    features: r.stringList('features'),
    resources: { maxHeapSizeBytes: resources.unsigned('maxHeapSizeBytes', Number.MAX_SAFE_INTEGER) },
    workdir: r.string('workdir'),
    metricsResources: { certPath: metrics.string('certPath'), keyPath: metrics.string('keyPath') },
    systemCaPath: r.string('systemCaPath'),
    ipv6Enabled: r.bool('ipv6Enabled'),
    spireResources: { socketPath: spire.string('socketPath') },
  };
  const otelEnv = r.passThrough('otelEnv');
  if (otelEnv) req.otelEnv = otelEnv;
  const transparentProxy = r.passThrough('dataplaneConfig');
  if (transparentProxy) req.transparentProxy = transparentProxy;
  if (req.name === '') throw new BootstrapRequestError('name', 'must not be empty');
  return req;
}

/** Decodes the raw body text. */
export function parseBootstrapRequestText(text: string): BootstrapRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new BootstrapRequestError('', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  return parseBootstrapRequest(body);
}

/**
 * Kuma's `DataplaneConfig.Enabled()` as the CP sees it at bootstrap: some traffic is redirected and the
 * IP family is not IPv4-only (the address it would also check is not known yet, so IPv4-only never counts).
 */
export function transparentProxyEnabled(req: BootstrapRequest): boolean {
  const tp = req.transparentProxy;
  if (!tp) return false;
  const redirect = (tp.redirect ?? {}) as Record<string, { enabled?: unknown } | undefined>;
  const redirecting = redirect.inbound?.enabled === true || redirect.outbound?.enabled === true;
  return redirecting && tp.ipFamilyMode !== 'ipv4';
}

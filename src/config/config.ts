/**
 * The control plane's configuration: one typed object built from defaults,
 * an optional YAML file (`-c`), then `FERRY_*` environment overrides whose
 * names mirror kuma-cp's keys (`apiServer.http.port` → `FERRY_API_SERVER_HTTP_PORT`).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseGoDuration } from '../core/go-compat/duration.js';
import { FERRY_VERSION } from '../version.js';

export interface FerryConfig {
  environment: 'universal' | 'kubernetes';
  mode: 'zone';
  general: { logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' };
  store: {
    type: 'memory' | 'postgres' | 'kubernetes';
    /** Where Secrets, ConfigMaps and the control plane's own objects live. */
    kubernetes: { systemNamespace: string };
    postgres: {
      host: string;
      port: number;
      user: string;
      password: string;
      dbName: string;
      connectionTimeout: number;
      maxOpenConnections: number;
    };
  };
  apiServer: {
    http: { interface: string; port: number };
    maxBodyBytes: number;
    /** Refuse resource writes through the API (always so on Kubernetes, where kubectl owns resources). */
    readOnly: boolean;
    /** Kuma's keys; Ferry only has user tokens. */
    authn: { localhostIsAdmin: boolean; tokens: { bootstrapAdminToken: boolean } };
  };
  dpServer: {
    port: number;
    tlsEnabled: boolean;
    tlsCertFile: string;
    tlsKeyFile: string;
    /**
     * '' picks per environment: none on Universal (Kuma has dpToken there; Ferry's quick start needs no
     * tokens) and serviceAccountToken on Kubernetes, as Kuma.
     */
    authn: { dpProxy: { type: '' | 'none' | 'dpToken' | 'serviceAccountToken' } };
  };
  xds: { dataplaneDeregistrationDelay: string };
  xdsServer: { dataplaneStatusFlushInterval: string };
  dnsServer: { CIDR: string };
  bootstrapServer: { params: { adminPort: number; xdsHost: string; xdsPort: number } };
  diagnostics: { serverPort: number };
  defaults: { skipMeshCreation: boolean };
  multizone: { zone: { name: string } };
  runtime: {
    kubernetes: {
      /** The HTTPS admission webhook (sidecar injection and kuma.io validation). */
      admissionServer: { address: string; port: number; certDir: string };
      /** `caCertFile`: the CA injected sidecars trust for the DP server; empty = the DP server's own certificate. */
      injector: { sidecarImage: string; initImage: string; caCertFile: string };
    };
  };
}

export function defaultConfig(): FerryConfig {
  return {
    environment: 'universal',
    mode: 'zone',
    general: { logLevel: 'info' },
    store: {
      type: 'memory',
      kubernetes: { systemNamespace: 'kuma-system' },
      postgres: {
        host: '127.0.0.1',
        port: 15432,
        user: 'kuma',
        password: 'kuma',
        dbName: 'kuma',
        connectionTimeout: 5,
        maxOpenConnections: 50,
      },
    },
    apiServer: {
      http: { interface: '0.0.0.0', port: 5681 },
      maxBodyBytes: 1024 * 1024,
      readOnly: false,
      authn: { localhostIsAdmin: true, tokens: { bootstrapAdminToken: true } },
    },
    dpServer: { port: 5678, tlsEnabled: true, tlsCertFile: '', tlsKeyFile: '', authn: { dpProxy: { type: '' } } },
    xds: { dataplaneDeregistrationDelay: '10s' },
    xdsServer: { dataplaneStatusFlushInterval: '10s' },
    dnsServer: { CIDR: '240.0.0.0/4' },
    bootstrapServer: { params: { adminPort: 9901, xdsHost: '', xdsPort: 0 } },
    diagnostics: { serverPort: 5680 },
    defaults: { skipMeshCreation: false },
    multizone: { zone: { name: 'default' } },
    runtime: {
      kubernetes: {
        admissionServer: { address: '0.0.0.0', port: 5443, certDir: '' },
        injector: { sidecarImage: `ferry/ferry-dp:${FERRY_VERSION}`, initImage: `ferry/ferry-init:${FERRY_VERSION}`, caCertFile: '' },
      },
    },
  };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ENUMS: Record<string, readonly string[]> = {
  'store.type': ['memory', 'postgres', 'kubernetes'],
  'general.logLevel': ['trace', 'debug', 'info', 'warn', 'error'],
  environment: ['universal', 'kubernetes'],
  mode: ['zone'],
  'dpServer.authn.dpProxy.type': ['', 'none', 'dpToken', 'serviceAccountToken'],
};

const PORTS = new Set([
  'store.postgres.port',
  'apiServer.http.port',
  'dpServer.port',
  'diagnostics.serverPort',
  'bootstrapServer.params.adminPort',
  'bootstrapServer.params.xdsPort',
  'runtime.kubernetes.admissionServer.port',
]);

const DURATIONS = new Set(['xds.dataplaneDeregistrationDelay', 'xdsServer.dataplaneStatusFlushInterval']);

/** Milliseconds of a Go-style duration setting (`10s`, `1m30s`). */
export function durationMs(value: string): number {
  const nanos = parseGoDuration(value);
  if (nanos === undefined) throw new ConfigError(`invalid duration ${JSON.stringify(value)}`);
  return Number(nanos / 1_000_000n);
}

export function envName(path: string): string {
  return 'FERRY_' + path.split('.').map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

type Node = Record<string, unknown>;

function leaves(obj: Node, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'object' && v !== null ? leaves(v as Node, path) : [path];
  });
}

function getAt(obj: Node, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Node | undefined)?.[k], obj);
}

function setAt(obj: Node, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Node>((o, k) => o[k] as Node, obj);
  parent[last] = value;
}

function coerce(path: string, raw: unknown, example: unknown, source: string): unknown {
  if (typeof example === 'number') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${source}: ${path} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    if (PORTS.has(path) && n > 65535) throw new ConfigError(`${source}: ${path} must be a port in [0, 65535], got ${n}`);
    return n;
  }
  if (typeof example === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const s = String(raw).toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
    throw new ConfigError(`${source}: ${path} must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new ConfigError(`${source}: ${path} must be a string`);
  const s = String(raw);
  if (DURATIONS.has(path)) {
    const nanos = parseGoDuration(s);
    if (nanos === undefined || nanos < 0n) throw new ConfigError(`${source}: ${path} must be a duration such as 10s, got ${JSON.stringify(s)}`);
  }
  const allowed = ENUMS[path];
  if (allowed && !allowed.includes(s)) throw new ConfigError(`${source}: ${path} must be one of ${allowed.join(', ')}, got ${JSON.stringify(s)}`);
  return s;
}

function mergeFile(cfg: FerryConfig, doc: unknown, file: string, prefix = ''): void {
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file}: ${prefix || 'the document'} must be a mapping`);
  for (const [k, v] of Object.entries(doc as Node)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const example = getAt(cfg as unknown as Node, path);
    if (example === undefined) throw new ConfigError(`${file}: unknown key ${path}`);
    if (typeof example === 'object' && example !== null) mergeFile(cfg, v, file, path);
    else setAt(cfg as unknown as Node, path, coerce(path, v, example, file));
  }
}

export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv } = {}): FerryConfig {
  const cfg = defaultConfig();
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read config file ${opts.file}: ${(e as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new ConfigError(`${opts.file}: invalid YAML: ${(e as Error).message}`);
    }
    mergeFile(cfg, doc, opts.file);
  }
  const env = opts.env ?? process.env;
  for (const path of leaves(cfg as unknown as Node)) {
    const name = envName(path);
    const raw = env[name];
    if (raw !== undefined) setAt(cfg as unknown as Node, path, coerce(path, raw, getAt(cfg as unknown as Node, path), name));
  }
  return resolveEnvironment(cfg);
}

/** Kubernetes implies the Kubernetes store (as kuma-cp autoconfigures it); the Kubernetes store needs Kubernetes. */
function resolveEnvironment(cfg: FerryConfig): FerryConfig {
  const dpProxy = cfg.dpServer.authn.dpProxy;
  if (cfg.environment === 'kubernetes') {
    if (cfg.store.type === 'memory') cfg.store.type = 'kubernetes';
    cfg.apiServer.readOnly = true;
    if (dpProxy.type === '') dpProxy.type = 'serviceAccountToken';
  } else {
    if (cfg.store.type === 'kubernetes') {
      throw new ConfigError('store.type (FERRY_STORE_TYPE): the kubernetes store needs environment kubernetes (FERRY_ENVIRONMENT=kubernetes)');
    }
    if (dpProxy.type === 'serviceAccountToken') {
      throw new ConfigError('dpServer.authn.dpProxy.type (FERRY_DP_SERVER_AUTHN_DP_PROXY_TYPE): serviceAccountToken needs environment kubernetes');
    }
    if (dpProxy.type === '') dpProxy.type = 'none';
  }
  return cfg;
}

/**
 * `ferry-dp run`: Ferry's kuma-dp. Fetches the Envoy bootstrap from the control plane's
 * `POST /bootstrap`, writes it to disk and keeps Envoy running until SIGTERM/SIGINT.
 * Flags and environment variables follow kuma-dp's names where kuma-dp has them.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { pino, destination, type Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { parseGoDuration } from '../core/go-compat/duration.js';
import { EnvoyRunner, lookupBinary } from '../dp/envoy-runner.js';
import { startDnsServer, type DnsServer } from '../dp/dns/server.js';
import { subscribeDnsTable, type DnsTableSubscription } from '../dp/dns/table-subscription.js';
import { FERRY_VERSION } from '../version.js';

class UsageError extends Error {}

// ---------------------------------------------------------------------------
// Settings from flags and environment

interface RunFlags {
  cpAddress: string;
  caCertFile?: string;
  skipVerify?: boolean;
  name?: string;
  mesh?: string;
  proxyType: string;
  dataplane?: string;
  dataplaneFile?: string;
  dataplaneVar: Record<string, string>;
  dataplaneToken?: string;
  dataplaneTokenFile?: string;
  binaryPath: string;
  adminPort?: string;
  configDir?: string;
  workDir?: string;
  drainTime: string;
  concurrency?: string;
  envoyLogLevel?: string;
  envoyComponentLogLevel?: string;
  logLevel: string;
  dnsEnabled: string | boolean;
  dnsServerPort: string;
}

function envBool(name: string): boolean {
  const v = process.env[name];
  return v !== undefined && ['1', 't', 'true'].includes(v.toLowerCase());
}

/** A Go duration from an environment variable or flag, in milliseconds. */
function durationMs(what: string, text: string): number {
  const nanos = parseGoDuration(text.trim());
  if (nanos === undefined || nanos < 0n) throw new UsageError(`${what}: invalid duration ${JSON.stringify(text)}`);
  return Number(nanos / 1_000_000n);
}

function envDurationMs(name: string, fallback: string): number {
  return durationMs(name, process.env[name] ?? fallback);
}

function port(what: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`${what} must be a port in the range [1, 65535], got ${JSON.stringify(text)}`);
  return n;
}

function collectVar(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UsageError(`--dataplane-var expects key=value, got ${JSON.stringify(value)}`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

// ---------------------------------------------------------------------------
// Dataplane template (mustache variables, as kuma-dp renders them)

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;' })[c]!);
}

/** `{{ key }}` (escaped) and `{{{ key }}}` / `{{& key }}` (raw); unknown keys render empty. */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{\{\s*([\w.-]+)\s*\}\}\}|\{\{\s*(&?)\s*([\w.-]+)\s*\}\}/g, (_m, raw?: string, amp?: string, key?: string) => {
    if (raw !== undefined) return vars[raw] ?? '';
    const value = vars[key!] ?? '';
    return amp ? value : htmlEscape(value);
  });
}

interface DataplaneTemplate {
  doc: Record<string, unknown>;
  mesh: string;
  name: string;
}

function readDataplaneTemplate(flags: RunFlags, adminPort: number | undefined, logger: Logger): DataplaneTemplate | undefined {
  let text: string;
  if (flags.dataplaneFile) {
    try {
      text = flags.dataplaneFile === '-' ? readFileSync(0, 'utf8') : readFileSync(flags.dataplaneFile, 'utf8');
    } catch (e) {
      throw new UsageError(`error while reading provided file: ${(e as Error).message}`);
    }
  } else if (flags.dataplane) {
    text = flags.dataplane;
  } else {
    return undefined;
  }
  if (text.trim() === '') return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(renderTemplate(text, flags.dataplaneVar));
  } catch (e) {
    throw new UsageError(`the Dataplane template is not valid YAML or JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError('the Dataplane template must be a YAML or JSON object');
  const d = doc as Record<string, unknown>;
  if (d.type !== 'Dataplane') throw new UsageError(`invalid proxy resource type ${JSON.stringify(d.type ?? '')}, expected Dataplane`);
  if (flags.name || flags.mesh) {
    throw new UsageError('--name and --mesh cannot be specified when a dataplane definition is provided, mesh and name will be read from the dataplane definition');
  }
  if (typeof d.name !== 'string' || d.name === '') throw new UsageError('the Dataplane template needs a name');
  if (typeof d.mesh !== 'string' || d.mesh === '') throw new UsageError('the Dataplane template needs a mesh');
  if (adminPort !== undefined) {
    const networking = (typeof d.networking === 'object' && d.networking !== null ? d.networking : (d.networking = {})) as Record<string, unknown>;
    networking.admin = { ...((networking.admin as object | undefined) ?? {}), port: adminPort };
    logger.info({ adminPort }, 'Envoy admin port set in the Dataplane template');
  }
  return { doc: d, mesh: d.mesh, name: d.name };
}

// ---------------------------------------------------------------------------
// What the bootstrap request says about this host and Envoy

interface EnvoyVersion {
  version: string;
  build: string;
}

/** `envoy --version` prints `… version: <revision>/<version>/<status>/<build type>/<ssl>`. */
function envoyVersion(binary: string, logger: Logger): Promise<EnvoyVersion> {
  return new Promise((done) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (err, stdout) => {
      const build = /version:\s*(\S+)/.exec(stdout ?? '')?.[1] ?? '';
      const parts = build.split('/');
      if (err || parts.length !== 5) {
        logger.warn({ binary, err: err?.message, output: stdout }, 'could not determine the Envoy version');
        return done({ version: '', build: '' });
      }
      done({ version: parts[1], build });
    });
  });
}

function hasLocalIPv6(): boolean {
  return Object.values(os.networkInterfaces()).some((addrs) => (addrs ?? []).some((a) => a.family === 'IPv6'));
}

// Where common distributions keep the system CA bundle.
const SYSTEM_CA_PATHS = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

function operatingSystem(): string {
  return process.platform === 'win32' ? 'windows' : process.platform;
}

// ---------------------------------------------------------------------------
// Fetching the bootstrap

interface FetchSettings {
  url: URL;
  body: string;
  ca?: string;
  skipVerify: boolean;
  backoffMs: number;
  maxDurationMs: number;
  signal: AbortSignal;
  logger: Logger;
}

/** Retrying does not help (bad request, wrong endpoint, untrusted certificate). */
class FatalFetchError extends Error {}
/** 404 with an empty body: the Dataplane is not there yet. */
class DataplaneNotFound extends Error {}

const CERT_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function postOnce(s: FetchSettings): Promise<string> {
  return new Promise((resolve, reject) => {
    const transport = s.url.protocol === 'https:' ? https : http;
    const url = new URL('/bootstrap', s.url);
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'content-length': Buffer.byteLength(s.body) },
        timeout: 10_000,
        signal: s.signal,
        ...(s.url.protocol === 'https:' ? { ca: s.ca, rejectUnauthorized: !s.skipVerify, minVersion: 'TLSv1.2' as const } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status === 200) return resolve(text);
          if (status === 404 && text === '') return reject(new DataplaneNotFound());
          if (status === 404) {
            return reject(
              new FatalFetchError(
                'There is no /bootstrap endpoint for provided CP address. Double check if the address passed to the CP has a DP Server port (5678 by default), not HTTP API (5681 by default)',
              ),
            );
          }
          if (Math.floor(status / 100) === 4) return reject(new FatalFetchError(`Invalid request: ${text}`));
          reject(new Error(`unexpected status code: ${status}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request to bootstrap server timed out')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code && CERT_ERRORS.has(e.code)) {
        return reject(
          new FatalFetchError(
            `could not verify the control plane certificate (${e.message}); provide its CA with --ca-cert-file, or use --skip-verify (insecure)`,
          ),
        );
      }
      reject(e);
    });
    req.end(s.body);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      done();
    }, { once: true });
  });
}

/** kuma-dp's loop: constant backoff until the maximum duration, except for errors retrying cannot fix. */
async function fetchBootstrap(s: FetchSettings): Promise<string> {
  const deadline = Date.now() + s.maxDurationMs;
  for (;;) {
    s.logger.info({ url: s.url.href }, 'trying to fetch bootstrap configuration from the Control Plane');
    try {
      return await postOnce(s);
    } catch (e) {
      if (s.signal.aborted || e instanceof FatalFetchError) throw e;
      if (e instanceof DataplaneNotFound) {
        s.logger.info({ backoffMs: s.backoffMs }, 'Dataplane entity is not yet found in the Control Plane, retrying');
      } else {
        s.logger.info({ backoffMs: s.backoffMs, err: (e as Error).message }, 'could not fetch bootstrap configuration, retrying');
      }
      if (Date.now() + s.backoffMs > deadline) {
        throw e instanceof DataplaneNotFound
          ? new Error(
              'Dataplane entity not found. If you are running on Universal please create a Dataplane entity on the control plane before starting ferry-dp or pass it to ferry-dp run --dataplane-file=/file.',
            )
          : e;
      }
      await sleep(s.backoffMs, s.signal);
      if (s.signal.aborted) throw e;
    }
  }
}

function decodeBootstrapResponse(text: string): string {
  let response: { bootstrap?: unknown };
  try {
    response = JSON.parse(text) as { bootstrap?: unknown };
  } catch {
    throw new Error('the control plane answered /bootstrap with something other than JSON');
  }
  if (typeof response.bootstrap !== 'string') throw new Error('the control plane response has no bootstrap');
  return Buffer.from(response.bootstrap, 'base64').toString('utf8');
}

// ---------------------------------------------------------------------------
// run

function createDpLogger(level: string): Logger {
  const pinoLevel = level === 'off' ? 'silent' : level;
  return pino({ level: pinoLevel, base: { app: 'ferry-dp' } }, destination(2));
}

async function run(flags: RunFlags): Promise<number> {
  const logger = createDpLogger(flags.logLevel);

  // Everything that can be checked locally fails before the control plane is contacted.
  const binary = lookupBinary(flags.binaryPath);
  if (!binary) {
    throw new UsageError(
      flags.binaryPath.includes('/')
        ? `could not find envoy executable: ${flags.binaryPath} does not exist or is not executable (--binary-path / KUMA_DATAPLANE_RUNTIME_BINARY_PATH)`
        : `could not find envoy executable: "${flags.binaryPath}" is not on PATH; install Envoy or point --binary-path (KUMA_DATAPLANE_RUNTIME_BINARY_PATH) at it`,
    );
  }
  let cpUrl: URL;
  try {
    cpUrl = new URL(flags.cpAddress);
  } catch {
    throw new UsageError(`--cp-address: invalid URL ${JSON.stringify(flags.cpAddress)}`);
  }
  if (cpUrl.protocol !== 'http:' && cpUrl.protocol !== 'https:') {
    throw new UsageError(`unsupported URL scheme "${cpUrl.protocol.replace(/:$/, '')}", must be http or https`);
  }
  if (flags.proxyType !== 'dataplane') throw new UsageError(`invalid proxy type "${flags.proxyType}": ferry-dp runs "dataplane" proxies only`);
  const adminPort = flags.adminPort === undefined ? undefined : port('--admin-port', flags.adminPort);
  const dnsEnabled = flags.dnsEnabled === true || ['1', 't', 'true'].includes(String(flags.dnsEnabled).toLowerCase());
  const dnsServerPort = port('--dns-server-port', flags.dnsServerPort);
  const drainSeconds = Math.floor(durationMs('--drain-time', flags.drainTime) / 1000);
  const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 0)) {
    throw new UsageError(`--concurrency must be a non-negative integer, got ${JSON.stringify(flags.concurrency)}`);
  }
  const retryBackoffMs = envDurationMs('KUMA_CONTROL_PLANE_RETRY_BACKOFF', '3s');
  const retryMaxMs = envDurationMs('KUMA_CONTROL_PLANE_RETRY_MAX_DURATION', '5m');
  const restartBaseMs = envDurationMs('KUMA_DATAPLANE_RESILIENT_COMPONENT_BASE_BACKOFF', '5s');
  const restartMaxMs = envDurationMs('KUMA_DATAPLANE_RESILIENT_COMPONENT_MAX_BACKOFF', '1m');

  const template = readDataplaneTemplate(flags, adminPort, logger);
  if (adminPort !== undefined && !template) {
    logger.warn({ adminPort }, '--admin-port applies to a Dataplane template only; the control plane takes the admin port from its Dataplane');
  }
  const name = template?.name ?? flags.name ?? '';
  const mesh = template?.mesh ?? flags.mesh ?? '';
  if (!name) throw new UsageError('--name is required (or KUMA_DATAPLANE_NAME, or a Dataplane template with --dataplane-file)');
  if (!mesh) throw new UsageError('--mesh is required (or KUMA_DATAPLANE_MESH, or a Dataplane template with --dataplane-file)');

  let token = '';
  if (flags.dataplaneTokenFile) {
    try {
      token = readFileSync(flags.dataplaneTokenFile, 'utf8');
    } catch (e) {
      throw new UsageError(`could not read the dataplane token file: ${(e as Error).message}`);
    }
  }
  if (flags.dataplaneToken) token = flags.dataplaneToken;
  token = token.trim();

  let caCert = process.env.KUMA_CONTROL_PLANE_CA_CERT ?? '';
  if (!caCert && flags.caCertFile) {
    try {
      caCert = readFileSync(flags.caCertFile, 'utf8');
    } catch (e) {
      throw new UsageError(`could not read certificate file ${flags.caCertFile}: ${(e as Error).message}`);
    }
  }
  const skipVerify = Boolean(flags.skipVerify) || envBool('KUMA_CONTROL_PLANE_TLS_SKIP_VERIFY');
  if (cpUrl.protocol === 'https:' && skipVerify) logger.warn({}, '--skip-verify is set, the Control Plane certificate will not be verified');

  // Signals from here on stop whatever is in progress and end with status 0.
  const abort = new AbortController();
  let runner: EnvoyRunner | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    abort.abort();
    void runner?.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let tmpDir: string | undefined;
  let dnsServer: DnsServer | undefined;
  let dnsTable: DnsTableSubscription | undefined;
  try {
    let workDir = flags.workDir || flags.configDir;
    if (!workDir) {
      tmpDir = mkdtempSync(join(os.tmpdir(), 'ferry-dp-'));
      // other processes (health probes, admin clients) must be able to reach sockets inside
      chmodSync(tmpDir, 0o711);
      workDir = tmpDir;
      logger.info({ dir: tmpDir }, 'generated configurations will be stored in a temporary directory');
    }
    const configDir = flags.configDir || workDir;
    mkdirSync(workDir, { recursive: true, mode: 0o711 });
    mkdirSync(configDir, { recursive: true });

    const version = await envoyVersion(binary, logger);
    const features = ['feature-strict-inbound-ports', 'feature-reuse-port'];
    if (process.env.KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT === 'DELTA_GRPC') features.push('feature-delta-grpc');
    const dynamicMetadata: Record<string, string> = {};
    if (process.env.HOST_IP) dynamicMetadata.HOST_IP = process.env.HOST_IP;
    const request = {
      mesh,
      name,
      proxyType: 'dataplane',
      dataplaneToken: token || undefined,
      dataplaneTokenPath: flags.dataplaneTokenFile || undefined,
      dataplaneResource: template ? JSON.stringify(template.doc) : undefined,
      version: {
        kumaDp: { version: FERRY_VERSION, gitTag: '', gitCommit: '', buildDate: '' },
        envoy: { version: version.version, build: version.build, kumaDpCompatible: false },
      },
      caCert,
      dynamicMetadata,
      operatingSystem: operatingSystem(),
      features,
      resources: { maxHeapSizeBytes: 0 },
      workdir: workDir,
      metricsResources: { certPath: '', keyPath: '' },
      systemCaPath: SYSTEM_CA_PATHS.find((p) => existsSync(p)) ?? '',
      ipv6Enabled: hasLocalIPv6(),
      spireResources: { socketPath: '' },
    };

    let responseText: string;
    try {
      responseText = await fetchBootstrap({
        url: cpUrl,
        body: JSON.stringify(request),
        ca: caCert || undefined,
        skipVerify,
        backoffMs: retryBackoffMs,
        maxDurationMs: retryMaxMs,
        signal: abort.signal,
        logger,
      });
    } catch (e) {
      if (abort.signal.aborted) return 0;
      throw new Error(`Failed to fetch Envoy bootstrap config. ${(e as Error).message}`);
    }
    const bootstrapYaml = decodeBootstrapResponse(responseText);
    const configFile = join(configDir, 'bootstrap.yaml');
    writeFileSync(configFile, bootstrapYaml, { mode: 0o600 });
    logger.info({ file: configFile }, 'bootstrap configuration saved to a file');
    if (abort.signal.aborted) return 0;

    const args = [
      '-c', configFile,
      '--drain-time-s', String(drainSeconds),
      '--drain-strategy', 'immediate',
      // hot restart would need a distinct --base-id per Envoy on the host, and is not used
      '--disable-hot-restart',
      '--log-level', flags.envoyLogLevel || (flags.logLevel === 'off' ? 'off' : flags.logLevel),
    ];
    if (flags.envoyComponentLogLevel) args.push('--component-log-level', flags.envoyComponentLogLevel);
    if (concurrency) args.push('--concurrency', String(concurrency));
    else if (process.platform === 'linux') args.push('--cpuset-threads');

    if (dnsEnabled) {
      // a DNS port conflict must not keep Envoy from running
      try {
        const server = await startDnsServer({
          host: '127.0.0.1',
          port: dnsServerPort,
          ttl: 30,
          ipFamilyMode: hasLocalIPv6() ? 'DualStack' : 'IPv4',
          logger,
        });
        dnsServer = server;
        dnsTable = subscribeDnsTable({
          cpAddress: cpUrl.href,
          mesh,
          name,
          caPem: caCert || undefined,
          skipVerify,
          token: token || undefined,
          onTable: (records) => server.setTable(records),
          logger,
        });
      } catch (e) {
        logger.error({ port: dnsServerPort, err: (e as Error).message }, 'could not start the DNS server, continuing without it');
      }
    }
    if (abort.signal.aborted) return 0;

    runner = new EnvoyRunner({
      binaryPath: binary,
      args,
      baseBackoffMs: restartBaseMs,
      maxBackoffMs: restartMaxMs,
      fastFailureMs: Math.max(10_000, restartMaxMs),
      maxFastFailures: 5,
      stopTimeoutMs: Math.max(drainSeconds * 1000, 5_000) + 5_000,
      logger,
    });
    const outcome = await runner.run();
    if (outcome.kind === 'gave-up') {
      process.stderr.write(`Error: Envoy failed ${outcome.failures} times in a row shortly after starting (last: ${outcome.lastExit})\n`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    dnsTable?.close();
    await dnsServer?.close();
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Command line

const program = new Command('ferry-dp').description('Ferry data plane: runs Envoy configured by the Ferry control plane').version(FERRY_VERSION);

program
  .command('run')
  .description('launch the data plane proxy (Envoy)')
  .addOption(new Option('--cp-address <url>', 'URL of the Control Plane Dataplane Server. Example: https://localhost:5678').env('KUMA_CONTROL_PLANE_URL').default('https://localhost:5678'))
  .addOption(new Option('--ca-cert-file <file>', 'Path to CA cert by which connection to the Control Plane will be verified if HTTPS is used').env('KUMA_CONTROL_PLANE_CA_CERT_FILE'))
  .option('--skip-verify', 'Skip TLS verification of the Control Plane certificate (insecure, for development/testing only; env KUMA_CONTROL_PLANE_TLS_SKIP_VERIFY)')
  .addOption(new Option('--name <name>', 'Name of the Dataplane').env('KUMA_DATAPLANE_NAME'))
  .addOption(new Option('--mesh <mesh>', 'Mesh that Dataplane belongs to').env('KUMA_DATAPLANE_MESH'))
  .addOption(new Option('--proxy-type <type>', 'type of the Dataplane (only "dataplane" is supported)').env('KUMA_DATAPLANE_PROXY_TYPE').default('dataplane'))
  .addOption(new Option('--dataplane <yaml>', 'Dataplane template to apply (YAML or JSON)').env('KUMA_DATAPLANE_RUNTIME_RESOURCE'))
  .addOption(new Option('-d, --dataplane-file <file>', 'Path to Dataplane template to apply (YAML or JSON; - for stdin)').env('KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH'))
  .addOption(new Option('-v, --dataplane-var <key=value>', 'Variables to replace Dataplane template (repeatable)').argParser(collectVar).default({}, 'none'))
  .addOption(new Option('--dataplane-token <token>', 'Dataplane Token').env('KUMA_DATAPLANE_RUNTIME_TOKEN'))
  .addOption(new Option('--dataplane-token-file <file>', 'Path to a file with dataplane token').env('KUMA_DATAPLANE_RUNTIME_TOKEN_PATH'))
  .addOption(new Option('--binary-path <path>', 'Binary path of Envoy executable').env('KUMA_DATAPLANE_RUNTIME_BINARY_PATH').default('envoy'))
  .addOption(new Option('--admin-port <port>', 'Envoy admin port, written into the Dataplane template as networking.admin.port'))
  .addOption(new Option('--config-dir <dir>', 'Directory in which Envoy config will be generated (default: a temporary directory)').env('KUMA_DATAPLANE_RUNTIME_CONFIG_DIR'))
  .addOption(new Option('--work-dir <dir>', 'Directory for sockets and generated files (default: --config-dir, else a temporary directory)').env('KUMA_DATAPLANE_RUNTIME_WORK_DIR'))
  .addOption(new Option('--drain-time <duration>', 'drain time for Envoy connections on shutdown').env('KUMA_DATAPLANE_DRAIN_TIME').default('30s'))
  .addOption(new Option('--concurrency <n>', 'Number of Envoy worker threads').env('KUMA_DATAPLANE_RUNTIME_CONCURRENCY'))
  .addOption(new Option('--envoy-log-level <level>', "Envoy log level (default: ferry-dp's --log-level)").env('KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL'))
  .addOption(new Option('--envoy-component-log-level <spec>', "Configures Envoy's --component-log-level").env('KUMA_DATAPLANE_RUNTIME_ENVOY_COMPONENT_LOG_LEVEL'))
  .addOption(new Option('--dns-enabled [enabled]', 'If true then the builtin DNS server is started (--dns-enabled=false to disable)').env('KUMA_DNS_ENABLED').default('true'))
  .addOption(new Option('--dns-server-port <port>', 'Port of the builtin DNS server, on 127.0.0.1').env('KUMA_DNS_PROXY_PORT').default('15053'))
  .addOption(new Option('--log-level <level>', 'log level of ferry-dp').choices(['off', 'error', 'warn', 'info', 'debug']).default('info'))
  .action(async (flags: RunFlags) => {
    let code: number;
    try {
      code = await run(flags);
    } catch (e) {
      process.stderr.write(`Error: ${(e as Error).message}\n`);
      code = 1;
    }
    process.exit(code);
  });

program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`ferry-dp ${FERRY_VERSION}\n`);
  });

await program.parseAsync(process.argv);

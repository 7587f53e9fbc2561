/**
 * `POST /bootstrap` on the DP server (Kuma's `pkg/xds/bootstrap/handler.go`): kuma-dp (or ferry-dp)
 * sends who it is, and gets the Envoy bootstrap back — as YAML, or as JSON with the YAML in base64
 * when it asks for `application/json`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { parseResourceInput } from '../core/envelope.js';
import { goQuote } from '../core/go-compat/quote.js';
import { splitHostPort } from '../core/go-compat/host-port.js';
import { validateMeshRef, validateName } from '../core/names.js';
import type { KindRegistry } from '../core/registry.js';
import type { Resource } from '../core/resource.js';
import { ValidationError, type Violation } from '../core/validation.js';
import { NotFoundError, type ResourceStore } from '../store/store.js';
import { BootstrapSchema } from '../../gen/envoy/config/bootstrap/v3/bootstrap_pb.js';
import { assertValid } from '../envoy/validate-rules.js';
import { bootstrapToYaml, generateBootstrap, kumaSidecarConfiguration, type XdsEndpoint } from './bootstrap.js';
import { BootstrapRequestError, parseBootstrapRequestText, transparentProxyEnabled, type BootstrapRequest } from './bootstrap-request.js';

/** The DP server speaks HTTP/1.1 and (over TLS, by ALPN) HTTP/2 on the same port. */
export type BootstrapHttpRequest = IncomingMessage | Http2ServerRequest;
export type BootstrapHttpResponse = ServerResponse | Http2ServerResponse;

/** The Dataplane, `undefined` when it does not exist, or why it cannot be used (a ValidationError answers 422). */
export type ResolvedDataplane = Resource | undefined | Error;

export interface BootstrapLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BootstrapHandlerDeps {
  /** Looks the Dataplane up, or validates the one kuma-dp sent (a JSON string) and checks its mesh exists. */
  resolveDataplane(mesh: string, name: string, dataplaneResourceJson?: string): Promise<ResolvedDataplane>;
  /** The mesh, for the metrics kuma-dp aggregates; without it the aggregate list is empty. */
  resolveMesh?(mesh: string): Promise<Resource | undefined>;
  /** An empty host means: the host the proxy used to reach this server (Kuma's default). */
  xds: Omit<XdsEndpoint, 'host'> & { host?: string };
  defaults: { adminPort: number };
  /** Refuse proxies that send no token, as Kuma does when DP authentication is on. */
  requireToken?: boolean;
  /** Why an inline token is refused for this Dataplane (answered 401), or undefined; Kuma leaves the check to ADS. */
  verifyToken?: (dataplane: Resource, token: string) => Promise<string | undefined>;
  logger?: BootstrapLogger;
}

export const DP_TOKEN_REQUIRED =
  "Dataplane Token is required. Generate token using 'kumactl generate dataplane-token > /path/file' and provide it via --dataplane-token-file=/path/file argument to Kuma DP";

// A Dataplane fits in a few kilobytes; this only stops runaway bodies.
const MAX_BODY_BYTES = 4 * 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: BootstrapHttpRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: BootstrapHttpResponse, status: number, body = '', contentType = 'text/plain; charset=utf-8'): void {
  if (body === '') {
    res.writeHead(status, { 'content-length': 0 });
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The hostname part of the Host header, as Go's net.SplitHostPort gives it (IPv6 without brackets). */
function requestHostname(req: BootstrapHttpRequest): string {
  const host = req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? '';
  return splitHostPort(host)?.host ?? host;
}

function wantsJson(req: BootstrapHttpRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => part.split(';')[0].trim().toLowerCase() === 'application/json');
}

function hasOutbounds(dp: Resource): boolean {
  const outbound = (dp.spec as { networking?: { outbound?: unknown[] } }).networking?.outbound;
  return (outbound?.length ?? 0) > 0;
}

/** Checks that need both the request and its Dataplane; Kuma applies them to a Dataplane sent by kuma-dp. */
function requestViolations(req: BootstrapRequest, dp: Resource): Violation[] {
  if (req.dataplaneResource && transparentProxyEnabled(req) && hasOutbounds(dp)) {
    return [{ field: 'outbound', message: 'should be empty since dataplane is in Transparent Proxying mode' }];
  }
  return [];
}

export function createBootstrapHandler(deps: BootstrapHandlerDeps): (req: BootstrapHttpRequest, res: BootstrapHttpResponse) => boolean {
  const log = deps.logger;

  async function handle(httpReq: BootstrapHttpRequest, res: BootstrapHttpResponse): Promise<void> {
    let body: string;
    try {
      body = await readBody(httpReq);
    } catch (e) {
      if (e instanceof BodyTooLarge) return send(res, 413, `the request body exceeds ${MAX_BODY_BYTES} bytes`);
      throw e;
    }

    let request: BootstrapRequest;
    try {
      request = parseBootstrapRequestText(body);
    } catch (e) {
      if (e instanceof BootstrapRequestError) {
        log?.warn({ err: e.message }, 'could not parse a bootstrap request');
        return send(res, 400, e.message);
      }
      throw e;
    }
    if (request.proxyType !== 'dataplane') {
      return send(res, 422, `proxyType: proxy type ${goQuote(request.proxyType)} is not supported, only "dataplane" is`);
    }
    if (deps.requireToken && !request.dataplaneToken && !request.dataplaneTokenPath) return send(res, 422, DP_TOKEN_REQUIRED);

    const proxy = { mesh: request.mesh, name: request.name };
    let resolved: ResolvedDataplane;
    try {
      resolved = await deps.resolveDataplane(request.mesh, request.name, request.dataplaneResource || undefined);
    } catch (e) {
      resolved = e instanceof Error ? e : new Error(String(e));
    }
    if (resolved === undefined || resolved instanceof NotFoundError) return send(res, 404);
    if (resolved instanceof ValidationError) return send(res, 422, resolved.message);
    if (resolved instanceof Error) {
      log?.error({ ...proxy, err: resolved }, 'could not resolve the Dataplane for a bootstrap request');
      return send(res, 500);
    }
    const dataplane = resolved;
    const violations = requestViolations(request, dataplane);
    if (violations.length > 0) return send(res, 422, new ValidationError(violations).message);
    const refusal = deps.verifyToken && request.dataplaneToken ? await deps.verifyToken(dataplane, request.dataplaneToken) : undefined;
    if (refusal) return send(res, 401, refusal);

    let mesh: Resource | undefined;
    if (deps.resolveMesh) {
      mesh = await deps.resolveMesh(dataplane.meta.mesh);
      if (!mesh) return send(res, 404);
    }

    const bootstrap = generateBootstrap({
      request,
      dataplane,
      xds: { ...deps.xds, host: deps.xds.host || requestHostname(httpReq) },
      defaultAdminPort: deps.defaults.adminPort,
    });
    // Envoy would refuse it anyway; failing here names the broken field in the CP log.
    assertValid(BootstrapSchema, bootstrap, `bootstrap for ${request.mesh}.${request.name}`);
    const yaml = bootstrapToYaml(bootstrap);
    log?.info({ ...proxy }, 'bootstrap configuration generated');
    if (wantsJson(httpReq)) {
      const response = {
        bootstrap: Buffer.from(yaml, 'utf8').toString('base64'),
        kumaSidecarConfiguration: kumaSidecarConfiguration(dataplane, mesh),
      };
      return send(res, 200, JSON.stringify(response), 'application/json');
    }
    return send(res, 200, yaml, 'text/x-yaml');
  }

  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/bootstrap' || req.method !== 'POST') return false;
    handle(req, res).catch((e: unknown) => {
      log?.error({ err: e }, 'could not generate a bootstrap configuration');
      if (!res.headersSent) send(res, 500);
      else res.end();
    });
    return true;
  };
}

/** Violations of a Dataplane sent in a bootstrap request, by the same rules as the REST API. */
function provisionalDataplane(json: string, registry: KindRegistry, mesh: string, name: string): Resource | ValidationError {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    return ValidationError.single('dataplaneResource', `invalid JSON: ${(e as Error).message}`);
  }
  const kind = registry.mustGet('Dataplane');
  const type = (doc as { type?: unknown } | null)?.type;
  if (type !== undefined && type !== kind.name) {
    return ValidationError.single('type', `invalid resource type ${typeof type === 'string' ? goQuote(type) : String(type)}, expected ${kind.name}`);
  }
  const { input, violations } = parseResourceInput(kind, doc);
  if (!input || !violations.empty) return new ValidationError(violations.list);
  const key = { mesh: input.mesh ?? mesh, name: input.name ?? name };
  const spec = kind.applyDefaults ? kind.applyDefaults(structuredClone(input.spec)) : input.spec;
  const all = [
    ...validateName(key.name),
    ...validateMeshRef(key.mesh),
    ...(kind.validate?.(spec, { ...key, labels: input.labels }) ?? []),
  ];
  if (all.length > 0) return new ValidationError(all);
  const now = new Date();
  return { type: kind.name, meta: { ...key, version: '', labels: input.labels, creationTime: now, modificationTime: now }, spec };
}

/**
 * The resolver the control plane gives the handler: a stored Dataplane, or (Universal) the one
 * kuma-dp sent, validated like an API write, in a mesh that must exist.
 */
export function storeDataplaneResolver(store: ResourceStore, registry: KindRegistry): BootstrapHandlerDeps['resolveDataplane'] {
  return async (mesh, name, dataplaneResourceJson) => {
    if (!dataplaneResourceJson) return store.get('Dataplane', { mesh, name });
    const dp = provisionalDataplane(dataplaneResourceJson, registry, mesh, name);
    if (dp instanceof Error) return dp;
    if (!(await store.get('Mesh', { mesh: '', name: dp.meta.mesh }))) {
      return ValidationError.single('mesh', `mesh ${goQuote(dp.meta.mesh)} does not exist`);
    }
    return dp;
  };
}

/**
 * The HTTPS admission server the API server calls, on Kuma's paths: `/inject-sidecar` (mutating,
 * Pods) and `/validate-kuma-io-v1alpha1` (validating, kuma.io objects). Like Kuma's webhook
 * runtime it always answers HTTP 200 with an AdmissionReview; a request it cannot read gets a
 * response whose status carries code 400. Other paths are 404.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1Namespace } from '@kubernetes/client-node';
import type { KindRegistry } from '../../core/registry.js';
import type { ControllerLogger } from '../service-controller.js';
import { ADMISSION_API_VERSIONS, errored, review, type AdmissionRequest, type Verdict } from './admission-review.js';
import { decodeAdmissionReview } from './decode-review.js';
import { GARBAGE_COLLECTOR_USER } from './operation-check.js';
import { addMeshOwnerReference } from './mesh-owner-reference.js';
import { validateKumaSecret } from './secret-validation.js';
import { validatePod } from './pod-validation.js';
import type { Resource } from '../../core/resource.js';
import { defaultKumaResource } from './resource-defaulting.js';
import { validateKumaResource } from './resource-validation.js';
import { injectSidecar, type WebhookInjectorOptions } from './sidecar-injection.js';

export const INJECT_SIDECAR_PATH = '/inject-sidecar';
export const VALIDATE_KUMA_PATH = '/validate-kuma-io-v1alpha1';
export const DEFAULT_KUMA_PATH = '/default-kuma-io-v1alpha1-mesh';
export const OWNER_REFERENCE_PATH = '/owner-reference-kuma-io-v1alpha1';
export const VALIDATE_SECRET_PATH = '/validate-v1-secret';
export const VALIDATE_POD_PATH = '/validate-v1-pod';
export const DEFAULT_WEBHOOK_PORT = 5443;

// The webhook runtime Kuma builds on refuses bodies above 7 MiB.
const MAX_BODY_BYTES = 7 * 1024 * 1024;

export interface WebhookServerOptions {
  port: number;
  host?: string;
  /** PEM server certificate (chain) and private key. */
  cert: string;
  key: string;
  injector: WebhookInjectorOptions;
  registry: KindRegistry;
  systemNamespace: string;
  logger: ControllerLogger;
  /** Looks a namespace up (informer cache); undefined when it does not exist. */
  readNamespace?: (name: string) => Promise<V1Namespace | undefined>;
  /** When given, injection into a mesh that does not exist is refused. */
  meshExists?: (name: string) => Promise<boolean>;
  /** The Mesh resource (for the Secret checks), undefined when it does not exist. */
  meshResource?: (name: string) => Promise<Resource | undefined>;
  /** The uid of a Mesh object (for owner references), undefined when it does not exist. */
  meshUid?: (name: string) => Promise<string | undefined>;
  /** The control plane's zone, for the computed labels of zone-originated kinds. */
  zone?: string;
  /** Users allowed any change to kuma.io objects, e.g. the control plane's service account; the garbage collector is always added. */
  allowedUsers?: string[];
}

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const allowedUsers = [...(opts.allowedUsers ?? []), GARBAGE_COLLECTOR_USER];
  const handlers: Record<string, (request: AdmissionRequest) => Promise<Verdict> | Verdict> = {
    [INJECT_SIDECAR_PATH]: (request) =>
      injectSidecar(request, { injector: opts.injector, readNamespace: opts.readNamespace, meshExists: opts.meshExists }),
    [VALIDATE_KUMA_PATH]: (request) => validateKumaResource(request, { registry: opts.registry, allowedUsers }),
    [VALIDATE_POD_PATH]: validatePod,
    [VALIDATE_SECRET_PATH]: (request) => validateKumaSecret(request, { mesh: opts.meshResource ?? (async () => undefined) }),
    [OWNER_REFERENCE_PATH]: (request) =>
      addMeshOwnerReference(request, { registry: opts.registry, meshUid: opts.meshUid ?? (async () => undefined) }),
    [DEFAULT_KUMA_PATH]: (request) =>
      defaultKumaResource(request, { registry: opts.registry, allowedUsers, systemNamespace: opts.systemNamespace, zone: opts.zone ?? 'default' }),
  };

  const server: Server = createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handler = Object.prototype.hasOwnProperty.call(handlers, path) ? handlers[path] : undefined;
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    void serveReview(req, res, handler, opts.logger);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  opts.logger.info({ port: (server.address() as AddressInfo).port }, 'admission webhook server listening');

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serveReview(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (request: AdmissionRequest) => Promise<Verdict> | Verdict,
  logger: ControllerLogger,
): Promise<void> {
  let apiVersion: string = ADMISSION_API_VERSIONS[0];
  let uid = '';
  let verdict: Verdict;
  try {
    const body = await readBody(req);
    if (body === undefined) {
      verdict = errored(413, `request entity is too large; limit is ${MAX_BODY_BYTES} bytes`);
    } else {
      const decoded = decodeAdmissionReview(body, req.headers['content-type']);
      if ('error' in decoded) {
        logger.error({ path: req.url, err: decoded.error }, 'unable to decode admission review');
        verdict = errored(400, decoded.error);
      } else {
        ({ apiVersion } = decoded);
        uid = decoded.request.uid;
        verdict = await handle(decoded.request);
        logger.debug({ path: req.url, uid, operation: decoded.request.operation, allowed: verdict.allowed }, 'admission request handled');
      }
    }
  } catch (err) {
    logger.error({ path: req.url, err: (err as Error).message }, 'admission request failed');
    verdict = errored(500, (err as Error).message);
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(review(apiVersion, uid, verdict)));
}

/** The whole body, or undefined when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Marks Services in mesh-enabled namespaces with the ingress "service-upstream" annotations, so Kong and
 * NGINX ingress proxy to the ClusterIP (which sidecars intercept) instead of pod IPs. Same rules as Kuma's
 * Service controller; additionally re-checks a namespace's Services when its injection label changes.
 */
import { apiMessageOf as reason, statusCodeOf } from './api-errors.js';
import { restartOnError, startUntilListed, type Lifecycle } from './informer-lifecycle.js';
import { WorkQueue } from './work-queue.js';
import {
  CoreV1Api,
  makeInformer,
  type KubeConfig,
  type V1Namespace,
  type V1Service,
} from '@kubernetes/client-node';

export const SIDECAR_INJECTION_LABEL = 'kuma.io/sidecar-injection';
export const GATEWAY_ANNOTATION = 'kuma.io/gateway';
export const IGNORE_ANNOTATION = 'kuma.io/ignore';
export const INGRESS_SERVICE_UPSTREAM = 'ingress.kubernetes.io/service-upstream';
export const NGINX_INGRESS_SERVICE_UPSTREAM = 'nginx.ingress.kubernetes.io/service-upstream';

export interface ControllerLogger {
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ServiceControllerOptions {
  /** First retry delay after a failed reconcile; doubles per consecutive failure. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface ServiceController {
  /** Resolves once both caches have been listed and queued work can start. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

/** Kuma's "enabled" boolean: true/yes/enabled, false/no/disabled, anything else is an error. */
export function parseEnabled(values: Record<string, string> | undefined, key: string): boolean {
  const value = values?.[key];
  if (value === undefined) return false;
  if (value === 'true' || value === 'yes' || value === 'enabled') return true;
  if (value === 'false' || value === 'no' || value === 'disabled') return false;
  throw new Error(`annotation "${key}" has wrong value "${value}"`);
}

export function startServiceController(
  kc: KubeConfig,
  logger: ControllerLogger,
  options: ServiceControllerOptions = {},
): ServiceController {
  const retryBaseMs = options.retryBaseMs ?? 50;
  const retryMaxMs = options.retryMaxMs ?? 60_000;
  const core = kc.makeApiClient(CoreV1Api);
  const services = makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  const namespaces = makeInformer(kc, '/api/v1/namespaces', () => core.listNamespace());

  let stopped = false;
  let synced = false;
  const injectionLabelSeen = new Map<string, string | undefined>();
  const queue = new WorkQueue(reconcile, {
    retryBaseMs,
    retryMaxMs,
    onError: (key, err) => logger.error({ err, service: key }, (err as Error).message),
  });
  const life: Lifecycle = { stopped: () => stopped, synced: () => synced, timers: queue, logger };

  async function reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    let svc: V1Service;
    try {
      // Read live rather than from the cache, so a retry after a conflict sees the latest version.
      svc = await core.readNamespacedService({ name, namespace });
    } catch (err) {
      if (statusCodeOf(err) === 404) return;
      throw new Error(`unable to fetch Service ${name}: ${reason(err)}`);
    }
    const annotations = { ...(svc.metadata?.annotations ?? {}) };
    if (annotations[GATEWAY_ANNOTATION] === 'builtin') return;

    const ns = namespaces.get(namespace) as V1Namespace | undefined;
    if (!ns) return;
    let inMesh: boolean;
    try {
      inMesh = parseEnabled(ns.metadata?.labels, SIDECAR_INJECTION_LABEL);
    } catch (err) {
      throw new Error(`unable to check sidecar injection label on namespace ${namespace}: ${(err as Error).message}`);
    }
    if (!inMesh) {
      logger.debug({ service: key }, `${key} is not part of the mesh`);
      return;
    }
    if (svc.spec?.type === 'ExternalName') {
      logger.debug({ name: key, type: 'ExternalName' }, 'ignoring Service because it is of an unsupported type');
      return;
    }
    let ignored: boolean;
    try {
      ignored = parseEnabled(annotations, IGNORE_ANNOTATION);
    } catch (err) {
      throw new Error(`unable to retrieve ${IGNORE_ANNOTATION} annotation for ${name}: ${(err as Error).message}`);
    }
    if (ignored) return;

    // Existing values are overwritten, as Kuma does; an already-marked Service needs no request.
    if (annotations[INGRESS_SERVICE_UPSTREAM] === 'true' && annotations[NGINX_INGRESS_SERVICE_UPSTREAM] === 'true') return;
    logger.info(
      { service: key, annotation: `${INGRESS_SERVICE_UPSTREAM}=true` },
      'annotating service which is part of the mesh',
    );
    annotations[INGRESS_SERVICE_UPSTREAM] = 'true';
    annotations[NGINX_INGRESS_SERVICE_UPSTREAM] = 'true';
    svc.metadata = { ...svc.metadata, annotations };
    try {
      // Carries the resourceVersion just read: a concurrent writer makes this 409 and the key is retried.
      await core.replaceNamespacedService({ name, namespace, body: svc });
    } catch (err) {
      throw new Error(`unable to update ingress service upstream annotation on service ${name}: ${reason(err)}`);
    }
  }

  const onService = (svc: V1Service): void => {
    if (svc.metadata?.namespace && svc.metadata.name) queue.add(`${svc.metadata.namespace}/${svc.metadata.name}`);
  };
  services.on('add', onService);
  services.on('update', onService);

  const onNamespace = (ns: V1Namespace): void => {
    const name = ns.metadata?.name;
    if (!name) return;
    const label = ns.metadata?.labels?.[SIDECAR_INJECTION_LABEL];
    const known = injectionLabelSeen.has(name);
    if (known && injectionLabelSeen.get(name) === label) return;
    injectionLabelSeen.set(name, label);
    // On the initial list the Service informer enqueues everything itself.
    if (!known && !synced) return;
    for (const svc of services.list(name)) onService(svc);
  };
  namespaces.on('add', onNamespace);
  namespaces.on('update', onNamespace);
  namespaces.on('delete', (ns: V1Namespace) => {
    if (ns.metadata?.name) injectionLabelSeen.delete(ns.metadata.name);
  });

  restartOnError(services, 'services', life);
  restartOnError(namespaces, 'namespaces', life);
  // Namespaces first, so the first Service reconciles find their namespace in the cache.
  const syncedPromise = (async () => {
    await startUntilListed(namespaces, 'namespaces', life);
    await startUntilListed(services, 'services', life);
    synced = true;
    queue.start();
  })();

  return {
    synced: syncedPromise,
    async stop(): Promise<void> {
      stopped = true;
      queue.stop();
      await Promise.all([services.stop(), namespaces.stop()]);
    },
  };
}

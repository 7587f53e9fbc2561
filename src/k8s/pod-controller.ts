/**
 * Keeps a `Dataplane` object next to every pod that has the Kuma sidecar, as Kuma's pod controller
 * does: same name and namespace as the pod, owned by it (so the garbage collector removes it with the
 * pod), rewritten only when the converted form differs from what is stored.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type KubernetesListObject,
  type V1EndpointSlice,
  type V1Namespace,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { kubernetesKind, KUMA_GROUP, KUMA_VERSION, type CustomResourceKind } from './kinds.js';
import { convertPod, type K8sDataplane, type Pod, type Service } from './pod-converter/index.js';
import { GATEWAY_ANNOTATION, parseEnabled, type ControllerLogger } from './service-controller.js';
import { apiMessageOf as apiReason, statusCodeOf as statusCode } from './api-errors.js';
import { desiredDataplane, sameDataplane, type DataplaneObject } from './pod-controller/dataplane-object.js';
import { restartOnError, startUntilListed, type Lifecycle } from './informer-lifecycle.js';
import { meshOfPod } from './pod-controller/mesh-of-pod.js';
import { SERVICE_NAME_LABEL, selectorMatches, servicesForPod } from './pod-controller/services-for-pod.js';
import { WorkQueue } from './work-queue.js';
import type { EventRecorder } from './event-recorder.js';

export const SIDECAR_INJECTED_ANNOTATION = 'kuma.io/sidecar-injected';
export const INGRESS_ANNOTATION = 'kuma.io/ingress';
export const EGRESS_ANNOTATION = 'kuma.io/egress';

export interface PodControllerOptions {
  /** Zone name: tags inbounds with `kuma.io/zone` and labels Dataplanes as zone-originated. */
  zone?: string;
  /** The control plane's namespace, the only one zone proxies may run in. */
  systemNamespace: string;
  /** First retry delay after a failed reconcile; doubles per consecutive failure. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Kuma's `experimental.kubeOutboundsAsVIPs` (default true): outbounds come from the VIP list, so
   * none are embedded in the Dataplane. When false, peers' outbounds are embedded at reconcile time.
   */
  kubeOutboundsAsVIPs?: boolean;
  /** Where Kuma's pod events (CreatedKumaDataplane, UpdatedKumaDataplane, FailedToGenerateKumaDataplane) go. */
  events?: EventRecorder;
}

export interface PodController {
  /** Resolves once all caches have been listed and queued work can start. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

/** Immediate re-read-and-retry rounds for a Dataplane write that hits a conflict, before backing off. */
const CONFLICT_ROUNDS = 3;

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

const controllerPodOf = (dp: DataplaneObject) =>
  dp.metadata?.ownerReferences?.find((ref) => ref.controller && ref.kind === 'Pod' && ref.apiVersion === 'v1');

export function startPodController(kc: KubeConfig, logger: ControllerLogger, opts: PodControllerOptions): PodController {
  const kubeOutboundsAsVIPs = opts.kubeOutboundsAsVIPs ?? true;
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const dataplaneKind = kubernetesKind('Dataplane') as CustomResourceKind;
  const crd = { group: KUMA_GROUP, version: KUMA_VERSION, plural: dataplaneKind.plural };

  const pods = makeInformer(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
  const services = makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  const namespaces = makeInformer(kc, '/api/v1/namespaces', () => core.listNamespace());
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const endpointSlices = makeInformer<V1EndpointSlice>(kc, '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces());
  const meshKind = kubernetesKind('Mesh') as CustomResourceKind;
  const meshes = makeInformer<KubernetesObject>(
    kc,
    `/apis/${KUMA_GROUP}/${KUMA_VERSION}/${meshKind.plural}`,
    () => custom.listClusterCustomObject({ group: KUMA_GROUP, version: KUMA_VERSION, plural: meshKind.plural }) as Promise<KubernetesListObject<KubernetesObject>>,
  );
  const dataplanes = makeInformer<DataplaneObject>(
    kc,
    `/apis/${KUMA_GROUP}/${KUMA_VERSION}/${crd.plural}`,
    () => custom.listClusterCustomObject(crd) as Promise<KubernetesListObject<DataplaneObject>>,
  );

  let stopped = false;
  let synced = false;
  /** resourceVersion of the controller's own last write per pod, until the cache has caught up with it. */
  const written = new Map<string, string>();

  const queue = new WorkQueue(reconcile, {
    retryBaseMs: opts.retryBaseMs ?? 50,
    retryMaxMs: opts.retryMaxMs ?? 60_000,
    onError: (key, err) => {
      logger.error({ err, pod: key }, (err as Error).message);
      const [namespace, name] = key.split('/') as [string, string];
      const pod = pods.get(name, namespace);
      if (pod) {
        opts.events?.record(pod, { type: 'Warning', reason: 'FailedToGenerateKumaDataplane', action: 'FailedToGenerate', note: `Failed to generate Kuma Dataplane: ${(err as Error).message}` });
      }
    },
  });
  const life: Lifecycle = { stopped: () => stopped, synced: () => synced, timers: queue, logger };

  async function reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = pods.get(name, namespace);
    if (!pod) {
      written.delete(key);
      logger.debug({ pod: key }, 'pod not found. Skipping');
      return deleteOrphanedDataplane(namespace, name);
    }
    const annotations = pod.metadata?.annotations;
    if (parseEnabled(annotations, INGRESS_ANNOTATION) || parseEnabled(annotations, EGRESS_ANNOTATION)) {
      const which = parseEnabled(annotations, INGRESS_ANNOTATION) ? 'Ingress' : 'Egress';
      if (namespace !== opts.systemNamespace) {
        throw new Error(`${which} can only be deployed in system namespace "${opts.systemNamespace}"`);
      }
      logger.debug({ pod: key }, `zone ${which.toLowerCase()} pods are not handled`);
      return;
    }
    if (annotations?.[GATEWAY_ANNOTATION] === 'builtin') {
      logger.debug({ pod: key }, 'builtin gateway pods are not handled');
      return;
    }
    if (!parseEnabled(annotations, SIDECAR_INJECTED_ANNOTATION)) return;
    await reconcileDataplane(pod, namespace, name);
  }

  async function reconcileDataplane(pod: V1Pod, namespace: string, name: string): Promise<void> {
    const ns = namespaces.get(namespace);
    if (!ns) throw new Error(`unable to get Namespace for Pod: namespaces "${namespace}" not found`);
    if (ns.status?.phase === 'Terminating') {
      logger.debug({ namespace }, 'namespace is terminating. Ignoring reconciliation');
      return;
    }
    if (pod.status?.phase === 'Succeeded') return deleteDataplane(namespace, name, 'pod succeeded');
    if (!pod.status?.podIP) return deleteDataplane(namespace, name, 'pod IP is empty');
    if (pod.status?.reason === 'Evicted') return deleteDataplane(namespace, name, 'pod was evicted');

    const mesh = meshOfPod(pod, ns);
    if (mesh.fromAnnotation) {
      logger.info({ name, namespace, kind: 'Pod' }, 'WARNING: The kuma.io/mesh annotation is no longer supported. Use label instead');
    }
    // Kuma refuses too; the pod is redone when the Mesh appears
    if (!meshes.get(mesh.name)) throw new Error(`meshes.kuma.io "${mesh.name}" not found`);
    const matching = servicesForPod(pod, services.list(namespace), endpointSlices.list(namespace));

    for (let round = 1; ; round++) {
      const existing = round === 1 ? await currentDataplane(namespace, name) : await readDataplane(namespace, name);
      let desired: DataplaneObject;
      try {
        const converted = convertPod({
          pod: pod as Pod,
          services: matching as Service[],
          zone: opts.zone,
          mesh: { name: mesh.name },
          existingLabels: existing?.metadata.labels,
          kubeOutboundsAsVIPs,
          ...(kubeOutboundsAsVIPs ? {} : peersOf(mesh.name)),
        });
        desired = desiredDataplane(pod, converted, existing, opts.zone);
      } catch (err) {
        throw new Error(`unable to translate a Pod into a Dataplane: ${(err as Error).message}`);
      }
      if (existing && sameDataplane(existing, desired)) {
        logger.debug({ pod: keyOf(namespace, name) }, "resource hasn't changed, skip");
        return;
      }
      try {
        const stored = existing
          ? await custom.replaceNamespacedCustomObject({ ...crd, namespace, name, body: desired })
          : await custom.createNamespacedCustomObject({ ...crd, namespace, body: desired });
        written.set(keyOf(namespace, name), (stored as DataplaneObject).metadata.resourceVersion ?? '');
        logger.debug({ pod: keyOf(namespace, name) }, existing ? 'Dataplane updated' : 'Dataplane created');
        opts.events?.record(
          pod,
          existing
            ? { type: 'Normal', reason: 'UpdatedKumaDataplane', action: 'Update', note: `Updated Kuma Dataplane: ${name}` }
            : { type: 'Normal', reason: 'CreatedKumaDataplane', action: 'Create', note: `Created Kuma Dataplane: ${name}` },
        );
        return;
      } catch (err) {
        // A concurrent writer (or a create racing another): read the latest and try again.
        if (statusCode(err) === 409 && round < CONFLICT_ROUNDS) continue;
        throw new Error(`unable to create/update Dataplane: ${apiReason(err)}`);
      }
    }
  }

  function peersOf(meshName: string): { otherDataplanes: K8sDataplane[]; otherServices: Service[] } {
    return {
      otherDataplanes: dataplanes.list().filter((dp) => dp.mesh === meshName) as K8sDataplane[],
      otherServices: services.list() as Service[],
    };
  }

  /**
   * The cache when it can be trusted, so the many reconciles that change nothing (pod status churn)
   * cost no request: it cannot be while it has not yet seen the controller's own last write.
   */
  async function currentDataplane(namespace: string, name: string): Promise<DataplaneObject | undefined> {
    const key = keyOf(namespace, name);
    const cached = dataplanes.get(name, namespace);
    const mine = written.get(key);
    if (mine === undefined && cached) return cached;
    if (mine !== undefined && cached?.metadata.resourceVersion === mine) {
      written.delete(key);
      return cached;
    }
    return readDataplane(namespace, name);
  }

  async function readDataplane(namespace: string, name: string): Promise<DataplaneObject | undefined> {
    try {
      // Live, so a retried write starts from the current resourceVersion.
      return (await custom.getNamespacedCustomObject({ ...crd, namespace, name })) as DataplaneObject;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw new Error(`unable to get Dataplane ${namespace}/${name}: ${apiReason(err)}`);
    }
  }

  /**
   * The garbage collector removes a deleted pod's Dataplane through its owner reference, but a write
   * made from a cache that had not yet seen the deletion can recreate it; that copy goes here. The
   * precondition keeps a Dataplane that was meanwhile replaced for a new pod of the same name.
   */
  async function deleteOrphanedDataplane(namespace: string, name: string): Promise<void> {
    const dp = dataplanes.get(name, namespace);
    const owner = dp && controllerPodOf(dp);
    if (!owner || owner.name !== name) return;
    const fields = { cause: 'pod not found', kind: 'Dataplane', name, namespace };
    try {
      await custom.deleteNamespacedCustomObject({ ...crd, namespace, name, body: { preconditions: { uid: dp.metadata.uid as string } } });
    } catch (err) {
      if (statusCode(err) === 404 || statusCode(err) === 409) return;
      throw new Error(`could not delete Dataplane ${name}/${namespace}: ${apiReason(err)}`);
    }
    logger.info(fields, 'Object deleted');
  }

  async function deleteDataplane(namespace: string, name: string, cause: string): Promise<void> {
    // The cache avoids a DELETE per status update of a starting pod; a Dataplane it has not seen yet
    // arrives as an event that brings the pod back here.
    if (!dataplanes.get(name, namespace)) return;
    const fields = { cause, kind: 'Dataplane', name, namespace };
    try {
      await custom.deleteNamespacedCustomObject({ ...crd, namespace, name });
    } catch (err) {
      if (statusCode(err) === 404) {
        logger.debug(fields, 'Object is not found, nothing to delete');
        return;
      }
      throw new Error(`could not delete Dataplane ${name}/${namespace}: ${apiReason(err)}`);
    }
    logger.info(fields, 'Object deleted');
  }

  // --- events → pods to reconcile ---

  const enqueuePod = (pod: V1Pod): void => {
    if (pod.metadata?.namespace && pod.metadata.name) queue.add(keyOf(pod.metadata.namespace, pod.metadata.name));
  };
  pods.on('add', enqueuePod);
  pods.on('update', enqueuePod);
  pods.on('delete', enqueuePod);

  // Selectors last seen per Service, so pods a changed or deleted Service no longer selects are redone too.
  const selectorsSeen = new Map<string, Record<string, string> | undefined>();
  const onService = (deleted: boolean) => (svc: V1Service): void => {
    const namespace = svc.metadata?.namespace;
    if (!namespace || !svc.metadata?.name) return;
    const key = keyOf(namespace, svc.metadata.name);
    const previous = selectorsSeen.get(key);
    if (deleted) selectorsSeen.delete(key);
    else selectorsSeen.set(key, svc.spec?.selector);
    for (const pod of pods.list(namespace)) {
      const labels = pod.metadata?.labels;
      if (selectorMatches(svc.spec?.selector, labels) || selectorMatches(previous, labels)) enqueuePod(pod);
    }
    // a selector-less Service reaches its pods through its EndpointSlices
    for (const slice of endpointSlices.list(namespace)) {
      if (slice.metadata?.labels?.[SERVICE_NAME_LABEL] !== svc.metadata.name) continue;
      for (const e of slice.endpoints ?? []) if (e.targetRef?.kind === 'Pod' && e.targetRef.name) queue.add(keyOf(namespace, e.targetRef.name));
    }
  };
  services.on('add', onService(false));
  services.on('update', onService(false));
  services.on('delete', onService(true));

  // A selector-less Service's pods are the targets of its EndpointSlices (before and after the change).
  const slicePods = new Map<string, Set<string>>();
  const onSlice = (deleted: boolean) => (slice: V1EndpointSlice): void => {
    const namespace = slice.metadata?.namespace;
    if (!namespace || !slice.metadata?.name) return;
    const key = keyOf(namespace, slice.metadata.name);
    const now = new Set((slice.endpoints ?? []).filter((e) => e.targetRef?.kind === 'Pod' && e.targetRef.name).map((e) => e.targetRef!.name!));
    const before = slicePods.get(key) ?? new Set<string>();
    if (deleted) slicePods.delete(key);
    else slicePods.set(key, now);
    for (const name of new Set([...before, ...now])) queue.add(keyOf(namespace, name));
  };
  endpointSlices.on('add', onSlice(false));
  endpointSlices.on('update', onSlice(false));
  endpointSlices.on('delete', onSlice(true));

  // Only the mesh label/annotation and the phase of a namespace matter to its pods' Dataplanes.
  const namespaceSeen = new Map<string, string>();
  const onNamespace = (ns: V1Namespace): void => {
    const name = ns.metadata?.name;
    if (!name) return;
    const signature = JSON.stringify([ns.metadata?.labels ?? {}, ns.metadata?.annotations ?? {}, ns.status?.phase ?? '']);
    if (namespaceSeen.get(name) === signature) return;
    namespaceSeen.set(name, signature);
    for (const pod of pods.list(name)) enqueuePod(pod);
  };
  namespaces.on('add', onNamespace);
  namespaces.on('update', onNamespace);
  namespaces.on('delete', (ns: V1Namespace) => {
    if (ns.metadata?.name) namespaceSeen.delete(ns.metadata.name);
  });

  // Pods waiting for their Mesh go as soon as it exists.
  meshes.on('add', (mesh: KubernetesObject) => {
    for (const pod of pods.list()) {
      const ns = pod.metadata?.namespace ? namespaces.get(pod.metadata.namespace) : undefined;
      if (ns && meshOfPod(pod, ns).name === mesh.metadata?.name) enqueuePod(pod);
    }
  });

  // A Dataplane changed or removed by someone else is put back from its pod.
  const onDataplane = (dp: DataplaneObject): void => {
    const owner = controllerPodOf(dp);
    if (owner && dp.metadata.namespace) queue.add(keyOf(dp.metadata.namespace, owner.name));
  };
  dataplanes.on('add', onDataplane);
  dataplanes.on('update', onDataplane);
  dataplanes.on('delete', onDataplane);

  const informers: [Informer<KubernetesObject>, string][] = [
    [namespaces, 'namespaces'],
    [meshes, 'meshes'],
    [services, 'services'],
    [endpointSlices, 'endpointslices'],
    [dataplanes, 'dataplanes'],
    [pods, 'pods'],
  ];
  for (const [informer, resource] of informers) restartOnError(informer, resource, life);
  // Pods last, so their first reconciles find namespaces, Services and Dataplanes in the caches.
  const syncedPromise = (async () => {
    for (const [informer, resource] of informers) await startUntilListed(informer, resource, life);
    synced = true;
    queue.start();
  })();

  return {
    synced: syncedPromise,
    async stop(): Promise<void> {
      stopped = true;
      queue.stop();
      await Promise.all(informers.map(([informer]) => informer.stop()));
    },
  };
}

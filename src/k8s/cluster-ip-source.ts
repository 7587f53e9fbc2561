/**
 * The cluster's Services, watched, as the source of the ClusterIP outbounds the control plane
 * serves to transparently proxied members (Kuma's `kubeOutboundsAsVIPs`). Listeners hear of a
 * change only when something the outbounds depend on changed (ClusterIP, type), not on every
 * annotation or status update.
 */
import { CoreV1Api, makeInformer, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import type { Resource } from '../core/resource.js';
import type { OutboundInterface } from '../xds/generate/dataplane-view.js';
import { clusterIpOutbounds, kubeServiceView, type KubeServiceView } from './cluster-ip-outbounds.js';
import { restartOnError, startUntilListed, type Lifecycle } from './informer-lifecycle.js';
import { RetryTimers } from './retry-timers.js';
import type { ControllerLogger } from './service-controller.js';

export interface ClusterIpSourceOptions {
  /** First delay before re-listing after a failure; doubles per consecutive failure. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface ClusterIpSource {
  /** Resolves once the Services have been listed; outbounds before that may be incomplete. */
  readonly synced: Promise<void>;
  /** Services are cluster-wide: the mesh only matters through its Dataplanes' service tags. */
  outbounds(mesh: string, dataplanes: readonly Resource[]): OutboundInterface[];
  /** Called after the initial list and after every relevant change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  stop(): Promise<void>;
}

const sameView = (a: KubeServiceView | undefined, b: KubeServiceView | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.clusterIP === b.clusterIP && a.type === b.type && a.headless === b.headless);

export function startClusterIpSource(kc: KubeConfig, logger: ControllerLogger, options: ClusterIpSourceOptions = {}): ClusterIpSource {
  const retryBaseMs = options.retryBaseMs ?? 50;
  const retryMaxMs = options.retryMaxMs ?? 60_000;
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  const views = new Map<string, KubeServiceView>();
  /** Rebuilt on demand after a change. */
  let list: KubeServiceView[] | undefined;
  const listeners = new Set<() => void>();
  let stopped = false;
  let synced = false;

  const timers = new RetryTimers(retryBaseMs, retryMaxMs);
  const life: Lifecycle = { stopped: () => stopped, synced: () => synced, timers: timers, logger };

  const notify = (): void => {
    list = undefined;
    if (!synced || stopped) return;
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (err) {
        logger.error({ err }, 'a ClusterIP outbound listener failed');
      }
    }
  };

  const keyOf = (svc: V1Service): string | undefined =>
    svc.metadata?.namespace && svc.metadata.name ? `${svc.metadata.namespace}/${svc.metadata.name}` : undefined;

  const upsert = (svc: V1Service): void => {
    const key = keyOf(svc);
    const view = kubeServiceView(svc);
    if (!key || !view || sameView(views.get(key), view)) return;
    views.set(key, view);
    notify();
  };
  informer.on('add', upsert);
  informer.on('update', upsert);
  informer.on('delete', (svc: V1Service) => {
    const key = keyOf(svc);
    if (key && views.delete(key)) notify();
  });

  restartOnError(informer, 'services', life);

  const syncedPromise = (async () => {
    await startUntilListed(informer, 'services', life);
    synced = true;
    logger.debug({ services: views.size }, 'services listed for ClusterIP outbounds');
    notify();
  })();

  return {
    synced: syncedPromise,
    outbounds: (_mesh, dataplanes) => clusterIpOutbounds(dataplanes, (list ??= [...views.values()])),
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async stop() {
      stopped = true;
      timers.stop();
      listeners.clear();
      await informer.stop();
    },
  };
}

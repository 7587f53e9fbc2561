import { kubeServiceOutbounds, kubeServiceView, type KubeServiceView } from '../cluster-ip-outbounds.js';
import type { K8sDataplane, Outbound, Pod, Service } from './types.js';

/**
 * Outbounds embedded in the Dataplane when outbounds are not served as VIPs: one per peer
 * service (sorted by tag) at its Service's ClusterIP, or one per endpoint for headless Services.
 * Tags that do not name an existing Kubernetes Service are skipped.
 */
export function outboundsFor(
  pod: Pod,
  peers: K8sDataplane[],
  services: Service[],
  reachableServices: string[] | undefined,
): Outbound[] {
  const views = services.map(kubeServiceView).filter((v): v is KubeServiceView => v !== undefined);
  return kubeServiceOutbounds(
    peers.map((peer) => peer.spec?.networking),
    (namespace, name) => views.find((s) => s.name === name && s.namespace === namespace),
    { reachableServices, ownAddress: pod.status?.podIP },
  );
}

import { isHeadless } from './inbound-tags.js';
import { servicelessInboundPort } from './inbounds.js';
import type { K8sDataplane, Outbound, Pod, Service } from './types.js';

interface Endpoint {
  address: string;
  port: number;
  instance: string;
}

function endpointsByService(dataplanes: K8sDataplane[]): Map<string, Endpoint[]> {
  const byService = new Map<string, Endpoint[]>();
  for (const dataplane of dataplanes) {
    const networking = dataplane.spec?.networking;
    for (const inbound of networking?.inbound ?? []) {
      if (inbound.state === 'Ignored') continue;
      const service = inbound.tags?.['kuma.io/service'];
      if (service === undefined) continue;
      const list = byService.get(service) ?? [];
      list.push({
        address: inbound.address || networking?.address || '',
        port: inbound.port ?? 0,
        instance: inbound.tags?.['kuma.io/instance'] ?? '',
      });
      byService.set(service, list);
    }
  }
  return byService;
}

/** Splits `<name>_<namespace>_svc[_<port>]`; undefined for any other shape. */
function parseServiceTag(tag: string): { name: string; namespace: string; port: number } | undefined {
  const parts = tag.split('_');
  if (parts.length === 3) return { name: parts[0]!, namespace: parts[1]!, port: servicelessInboundPort };
  if (parts.length === 4 && /^[+-]?\d+$/.test(parts[3]!)) {
    return { name: parts[0]!, namespace: parts[1]!, port: Number(parts[3]) >>> 0 };
  }
  return undefined;
}

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
  const outbounds: Outbound[] = [];
  const endpoints = endpointsByService(peers);
  for (const tag of [...endpoints.keys()].sort()) {
    const parsed = parseServiceTag(tag);
    if (!parsed) continue;
    if (reachableServices && reachableServices.length > 0 && !reachableServices.includes(tag)) continue;
    if (parsed.port === servicelessInboundPort) continue;
    const service = services.find((s) => s.metadata.name === parsed.name && s.metadata.namespace === parsed.namespace);
    if (!service || service.spec?.type === 'ExternalName') continue;
    if (isHeadless(service)) {
      for (const endpoint of endpoints.get(tag)!) {
        // Our own address would clash with our inbound.
        if (endpoint.address === pod.status?.podIP) continue;
        outbounds.push({
          address: endpoint.address,
          port: endpoint.port,
          tags: { 'kuma.io/service': tag, 'kuma.io/instance': endpoint.instance },
        });
      }
    } else {
      outbounds.push({ address: service.spec?.clusterIP ?? '', port: parsed.port, tags: { 'kuma.io/service': tag } });
    }
  }
  return outbounds;
}

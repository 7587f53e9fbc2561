/**
 * Kubernetes Services as mesh outbounds: every `kuma.io/service` tag of the form
 * `<name>_<namespace>_svc_<port>` whose Service exists becomes an outbound on the Service's
 * ClusterIP and port, or, for a headless Service, one outbound per endpoint (Kuma's
 * `OutboundInterfacesFor` and `KubeHosts`). Pure: shared by the pod converter (embedded
 * outbounds) and the control plane (outbounds served next to the VIPs).
 */
import type { Resource } from '../core/resource.js';
import { SERVICELESS_PORT, type OutboundInterface } from '../xds/generate/dataplane-view.js';

const SERVICE_TAG = 'kuma.io/service';
const INSTANCE_TAG = 'kuma.io/instance';

/** What the computation needs of a Kubernetes Service. */
export interface KubeServiceView {
  name: string;
  namespace: string;
  /** `None` for a headless Service; empty for ExternalName. */
  clusterIP: string;
  /** `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`; absent means `ClusterIP`. */
  type?: string;
  headless: boolean;
}

interface ServiceLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { type?: string; clusterIP?: string };
}

/** The view of a Service object; undefined when it has no name or namespace. */
export function kubeServiceView(service: ServiceLike): KubeServiceView | undefined {
  const name = service.metadata?.name;
  const namespace = service.metadata?.namespace;
  if (!name || !namespace) return undefined;
  const clusterIP = service.spec?.clusterIP ?? '';
  return { name, namespace, clusterIP, type: service.spec?.type, headless: clusterIP === 'None' };
}

/** The parts of a Dataplane's `networking` read here; Kubernetes and store Dataplanes share them. */
export interface NetworkingLike {
  address?: string;
  inbound?: { address?: string; port?: number; state?: string; tags?: Record<string, string> }[];
}

export interface ServiceEndpointAddress {
  address: string;
  port: number;
  instance: string;
}

/** Endpoints per service tag, in Dataplane order; `Ignored` inbounds are no endpoints. */
export function endpointsByService(networkings: readonly (NetworkingLike | undefined)[]): Map<string, ServiceEndpointAddress[]> {
  const byService = new Map<string, ServiceEndpointAddress[]>();
  for (const networking of networkings) {
    for (const inbound of networking?.inbound ?? []) {
      if (inbound.state === 'Ignored') continue;
      const service = inbound.tags?.[SERVICE_TAG];
      if (service === undefined) continue;
      const list = byService.get(service) ?? [];
      list.push({
        address: inbound.address || networking?.address || '',
        port: inbound.port ?? 0,
        instance: inbound.tags?.[INSTANCE_TAG] ?? '',
      });
      byService.set(service, list);
    }
  }
  return byService;
}

/** Splits `<name>_<namespace>_svc[_<port>]`; undefined for any other shape. */
export function parseServiceTag(tag: string): { name: string; namespace: string; port: number } | undefined {
  const parts = tag.split('_');
  if (parts.length === 3) return { name: parts[0]!, namespace: parts[1]!, port: SERVICELESS_PORT };
  if (parts.length === 4 && /^[+-]?\d+$/.test(parts[3]!)) {
    return { name: parts[0]!, namespace: parts[1]!, port: Number(parts[3]) >>> 0 };
  }
  return undefined;
}

export interface KubeServiceOutboundOptions {
  /** Non-empty: only these service tags. */
  reachableServices?: readonly string[];
  /** Headless endpoints on this address are left out (they would clash with the proxy's own inbound). */
  ownAddress?: string;
}

/**
 * Outbounds in service-tag order (endpoints of a headless Service in Dataplane order).
 * Tags that name no Service, service-less tags and ExternalName Services give none.
 */
export function kubeServiceOutbounds(
  networkings: readonly (NetworkingLike | undefined)[],
  findService: (namespace: string, name: string) => KubeServiceView | undefined,
  options: KubeServiceOutboundOptions = {},
): OutboundInterface[] {
  const reachable = options.reachableServices && options.reachableServices.length > 0 ? new Set(options.reachableServices) : undefined;
  const endpoints = endpointsByService(networkings);
  const outbounds: OutboundInterface[] = [];
  for (const tag of [...endpoints.keys()].sort()) {
    const parsed = parseServiceTag(tag);
    if (!parsed || parsed.port === SERVICELESS_PORT) continue;
    if (reachable && !reachable.has(tag)) continue;
    const service = findService(parsed.namespace, parsed.name);
    if (!service || service.type === 'ExternalName') continue;
    if (service.headless) {
      for (const endpoint of endpoints.get(tag)!) {
        if (options.ownAddress !== undefined && endpoint.address === options.ownAddress) continue;
        outbounds.push({ address: endpoint.address, port: endpoint.port, tags: { [SERVICE_TAG]: tag, [INSTANCE_TAG]: endpoint.instance } });
      }
    } else {
      outbounds.push({ address: service.clusterIP, port: parsed.port, tags: { [SERVICE_TAG]: tag } });
    }
  }
  return outbounds;
}

/**
 * The outbounds every transparently proxied member of a mesh gets for the mesh's Kubernetes
 * Services; the first of several on one address:port wins. Per-proxy filtering
 * (`reachableServices`, clashes with own inbounds) is left to the generator.
 */
export function clusterIpOutbounds(dataplanes: readonly Resource[], services: readonly KubeServiceView[]): OutboundInterface[] {
  const byKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const seen = new Set<string>();
  const networkings = dataplanes.map((dp) => dp.spec.networking as NetworkingLike | undefined);
  return kubeServiceOutbounds(networkings, (namespace, name) => byKey.get(`${namespace}/${name}`)).filter((o) => {
    const key = `${o.address}:${o.port}`;
    if (o.address === '' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

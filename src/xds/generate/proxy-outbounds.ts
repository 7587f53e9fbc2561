/**
 * The outbounds a proxy gets (Kuma's `resolveVIPOutbounds` in
 * `pkg/xds/sync/dataplane_proxy_builder.go`). A proxy whose traffic is
 * redirected transparently, or that binds its outbounds itself, reaches every
 * service of the mesh through the service's VIP on port 80 instead of through
 * the outbounds its spec lists; `reachableServices` narrows that set, and a
 * VIP:port that is one of the proxy's own inbounds is left out. The platform's
 * outbounds (Kubernetes ClusterIPs) come on top, under the same filters.
 */
import { inboundInterfaces, outboundInterfaces, reachableServices, transparentProxyEnabled, type InboundInterface, type OutboundInterface } from './dataplane-view.js';
import { SERVICE_TAG } from './subset-cluster-name.js';
import type { EndpointIndex, MeshSnapshot, Proxy } from './types.js';

/** Kuma's `dnsServer.serviceVipPort` default. */
export const SERVICE_VIP_PORT = 80;

/**
 * Besides VIP:80, Ferry also listens on VIP:<port> for each port the service's endpoints use,
 * so a client that keeps the service's real port (`backend.mesh:8080`) is captured too.
 */
export function proxyOutbounds(snapshot: MeshSnapshot, proxy: Proxy, index?: EndpointIndex): OutboundInterface[] {
  const spec = proxy.dataplane.spec;
  const redirected = transparentProxyEnabled(spec) || proxy.metadata.features.includes('feature-bind-outbounds');
  if (!redirected) return outboundInterfaces(spec);
  const reachable = new Set(reachableServices(spec));
  const inbounds = inboundInterfaces(spec);
  const allowed = (service: string | undefined) => reachable.size === 0 || (service !== undefined && reachable.has(service));
  // Without a VIP table the spec outbounds are all we know of.
  const result: OutboundInterface[] = snapshot.vips === undefined ? outboundInterfaces(spec) : [];
  for (const [service, vip] of snapshot.vips ?? []) {
    if (!allowed(service)) continue;
    // E.g. a headless service whose "VIP" is the proxy's own pod IP.
    const ports = new Set([SERVICE_VIP_PORT, ...(index?.services.get(service)?.endpoints.map((e) => e.port) ?? [])]);
    for (const port of [...ports].sort((a, b) => a - b)) {
      if (usesInbound(inbounds, vip, port)) continue;
      result.push({ address: vip, port, tags: { [SERVICE_TAG]: service } });
    }
  }
  const taken = new Set(result.map((o) => `${o.address}:${o.port}`));
  for (const outbound of snapshot.platformOutbounds ?? []) {
    const key = `${outbound.address}:${outbound.port}`;
    if (!allowed(outbound.tags[SERVICE_TAG]) || taken.has(key) || usesInbound(inbounds, outbound.address, outbound.port)) continue;
    taken.add(key);
    result.push(outbound);
  }
  return result;
}

function usesInbound(inbounds: readonly InboundInterface[], address: string, port: number): boolean {
  return inbounds.some(
    (inbound) =>
      (inbound.dataplanePort === port && overlaps(address, inbound.dataplaneIp)) ||
      (inbound.workloadPort === port && overlaps(address, inbound.workloadIp)),
  );
}

/** Equal addresses, or either is a wildcard. */
function overlaps(a: string, b: string): boolean {
  const wildcard = (ip: string) => ip === '0.0.0.0' || ip === '::';
  return wildcard(a) || wildcard(b) || a === b;
}

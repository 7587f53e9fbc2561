/** What a mesh's ServiceInsight says, computed from its Dataplanes and their insights (pure). */
import type { Resource, Spec } from '../core/resource.js';
import { isOnline } from '../resources/dataplane-insight.js';

interface Networking {
  inbound?: { tags?: Record<string, string>; state?: string; health?: { ready?: boolean } }[];
  gateway?: { type?: string; tags?: Record<string, string> };
}

interface Counting {
  online: number;
  offline: number;
  type: string;
  issued: Map<string, number>;
}

/** Kuma's overview status: a gateway by connectivity; a sidecar also needs a ready inbound. */
function dataplaneOnline(dp: Resource, insight: Resource | undefined): boolean {
  if (!isOnline(insight?.spec)) return false;
  const networking = (dp.spec.networking ?? {}) as Networking;
  if (networking.gateway) return true;
  const inbounds = networking.inbound ?? [];
  return inbounds.length === 0 || inbounds.some((i) => i.state !== 'NotReady' && i.state !== 'Ignored' && !(i.health && i.health.ready !== true));
}

export function computeServiceInsight(dataplanes: readonly Resource[], insights: ReadonlyMap<string, Resource>): Spec {
  const services = new Map<string, Counting>();
  const count = (service: string, type: string, online: boolean, backend: string | undefined) => {
    const c = services.get(service) ?? { online: 0, offline: 0, type, issued: new Map<string, number>() };
    if (online) c.online++;
    else c.offline++;
    if (backend) c.issued.set(backend, (c.issued.get(backend) ?? 0) + 1);
    services.set(service, c);
  };
  for (const dp of dataplanes) {
    const insight = insights.get(dp.meta.name);
    const online = dataplaneOnline(dp, insight);
    const backend = (insight?.spec.mTLS as { issuedBackend?: string } | undefined)?.issuedBackend;
    const networking = (dp.spec.networking ?? {}) as Networking;
    if (networking.gateway) {
      const service = networking.gateway.tags?.['kuma.io/service'];
      if (service) count(service, networking.gateway.type === 'BUILTIN' ? 'gateway_builtin' : 'gateway_delegated', online, backend);
      continue;
    }
    const seen = new Set<string>();
    for (const inbound of networking.inbound ?? []) {
      const service = inbound.tags?.['kuma.io/service'];
      if (!service || seen.has(service)) continue;
      seen.add(service);
      count(service, 'internal', online, backend);
    }
  }
  const out: Record<string, Spec> = {};
  for (const [name, c] of [...services].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const entry: Spec = {
      status: c.offline === 0 ? 'online' : c.online === 0 ? 'offline' : 'partially_degraded',
      dataplanes: { ...(c.online ? { online: c.online } : {}), ...(c.offline ? { offline: c.offline } : {}) },
    };
    if (c.issued.size > 0) entry.issuedBackends = Object.fromEntries(c.issued);
    if (c.type !== 'internal') entry.serviceType = c.type;
    out[name] = entry;
  }
  return Object.keys(out).length > 0 ? { services: out } : {};
}

/** Which services of a mesh get a VIP (Kuma `buildVirtualOutboundMeshView`, Dataplane part). */
import type { Resource } from '../core/resource.js';
import { compareNames } from './vip-table.js';

const SERVICE_TAG = 'kuma.io/service';
/** Kuma's reserved "no real port" inbound port. */
const RESERVED_PORT = 49151;

interface InboundShape {
  port?: number;
  state?: string;
  tags?: Record<string, string>;
}

/** Services of every non-Ignored inbound with a real port; gateways have no inbounds and add nothing. */
export function servicesNeedingVips(dataplanes: readonly Resource[]): string[] {
  const services = new Set<string>();
  for (const dp of dataplanes) {
    const networking = dp.spec.networking as { inbound?: InboundShape[] } | undefined;
    for (const inbound of networking?.inbound ?? []) {
      if (inbound.state === 'Ignored' || inbound.port === RESERVED_PORT) continue;
      const service = inbound.tags?.[SERVICE_TAG];
      if (service) services.add(service);
    }
  }
  return [...services].sort(compareNames);
}

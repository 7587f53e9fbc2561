/** What a zone control plane changes in a Dataplane it accepts (Kuma's dataplane manager). */
import type { Spec } from './resource.js';

interface Inbound {
  tags?: Record<string, string>;
  serviceProbe?: unknown;
  state?: string;
  health?: { ready?: boolean };
}

export function mutateDataplaneOnWrite(spec: Spec, zone: string, creating: boolean): Spec {
  const out = structuredClone(spec);
  const networking = out.networking as { inbound?: Inbound[]; gateway?: { tags?: Record<string, string> } } | undefined;
  if (!networking) return out;
  if (zone) {
    for (const inbound of networking.inbound ?? []) inbound.tags = { ...(inbound.tags ?? {}), 'kuma.io/zone': zone };
    if (networking.gateway) networking.gateway.tags = { ...(networking.gateway.tags ?? {}), 'kuma.io/zone': zone };
  }
  if (creating) {
    // probed inbounds start unhealthy until the probe passes
    for (const inbound of networking.inbound ?? []) {
      if (inbound.serviceProbe) {
        inbound.state = 'NotReady';
        inbound.health = {};
      }
    }
  }
  return out;
}

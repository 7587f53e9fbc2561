/**
 * Service → endpoints for one mesh snapshot, shared by every proxy of the mesh
 * (Kuma's `fillDataplaneOutbounds` plus the service protocol inference of its
 * mesh context).
 */
import { isGateway } from '../../resources/dataplane.js';
import { inboundInterfaces } from './dataplane-view.js';
import { GenerationMemo } from './generation-memo.js';
import { inferServiceProtocol } from './protocol.js';
import { SERVICE_TAG } from './subset-cluster-name.js';
import type { Endpoint, EndpointIndex, Locality, MeshSnapshot, ServiceEndpoints } from './types.js';

const ZONE_TAG = 'kuma.io/zone';
const PROTOCOL_TAG = 'kuma.io/protocol';
const PRIORITY_LOCAL = 0;
const PRIORITY_REMOTE = 1;

/**
 * Every healthy inbound of every non-gateway Dataplane; a sidecar is an
 * endpoint of its own service too. Pass the previous snapshot's index to keep
 * the generated messages that are still valid.
 */
export function buildEndpointIndex(snapshot: MeshSnapshot, previous?: EndpointIndex): EndpointIndex {
  const routing = (snapshot.mesh.spec.routing ?? {}) as { localityAwareLoadBalancing?: boolean };
  const localityAware = routing.localityAwareLoadBalancing === true;
  const localZone = snapshot.zone ?? '';
  const byService = new Map<string, Endpoint[]>();

  for (const dataplane of snapshot.dataplanes) {
    // Gateways have no inbounds by validation; skipping them keeps that true for any input.
    if (isGateway(dataplane.spec)) continue;
    const labels = dataplane.meta.labels ?? {};
    for (const inbound of inboundInterfaces(dataplane.spec)) {
      const service = inbound.tags[SERVICE_TAG];
      if (!inbound.healthy || service === undefined) continue;
      const zone = inbound.tags[ZONE_TAG] ?? labels[ZONE_TAG];
      const endpoint: Endpoint = {
        address: inbound.advertisedIp,
        port: inbound.dataplanePort,
        tags: inbound.tags,
        labels,
        weight: 1,
        locality: zone === undefined ? undefined : locality(zone, localZone, localityAware),
      };
      const list = byService.get(service);
      if (list) list.push(endpoint);
      else byService.set(service, [endpoint]);
    }
  }

  const services = new Map<string, ServiceEndpoints>();
  for (const service of [...byService.keys()].sort()) {
    const endpoints = byService.get(service)!.sort(compareEndpoints);
    services.set(service, { protocol: inferServiceProtocol(endpoints.map((e) => e.tags[PROTOCOL_TAG])), endpoints });
  }
  const mesh = snapshot.mesh.meta.name;
  const memo = previous && previous.mesh === mesh ? previous.memo.carryOver(previous.services, services) : new GenerationMemo();
  return { mesh, services, memo };
}

/** Locality is set even without locality-aware LB; only then does a foreign zone get the remote priority. */
function locality(zone: string, localZone: string, localityAware: boolean): Locality {
  return { zone, priority: localityAware && zone !== localZone ? PRIORITY_REMOTE : PRIORITY_LOCAL };
}

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.port - b.port;
}

/** ClusterLoadAssignments from index endpoints (`pkg/xds/envoy/endpoints/v3/endpoints.go`). */
import type { ClusterLoadAssignment } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import type { LbEndpoint } from '../../../gen/envoy/config/endpoint/v3/endpoint_components_pb.js';
import { HealthStatus } from '../../../gen/envoy/config/core/v3/health_check_pb.js';
import type { Metadata } from '../../../gen/envoy/config/core/v3/base_pb.js';
import { make, socketAddress, sortedCopy } from './envoy-messages.js';
import { SERVICE_TAG } from './subset-cluster-name.js';
import type { Endpoint } from './types.js';

/** Endpoints carrying every one of `match` (service tag excluded). */
export function selectEndpoints(endpoints: readonly Endpoint[], match: Readonly<Record<string, string>>): readonly Endpoint[] {
  const keys = Object.keys(match).filter((k) => k !== SERVICE_TAG);
  if (keys.length === 0) return endpoints;
  return endpoints.filter((e) => keys.every((k) => e.tags[k] === match[k]));
}

/**
 * Tags minus the service (already in the cluster name) under `envoy.lb` and
 * `envoy.transport_socket_match`, the Dataplane's labels under `io.kuma.labels`.
 */
function endpointMetadata(endpoint: Endpoint): Metadata | undefined {
  const tags: Record<string, string> = {};
  let hasTags = false;
  for (const key of Object.keys(endpoint.tags).sort()) {
    if (key === SERVICE_TAG) continue;
    tags[key] = endpoint.tags[key];
    hasTags = true;
  }
  const hasLabels = Object.keys(endpoint.labels).length > 0;
  if (!hasTags && !hasLabels) return undefined;
  // Keys in order, so equal input gives equal bytes; the tag map is shared by both entries.
  const filterMetadata: Record<string, Record<string, string>> = {};
  if (hasTags) {
    filterMetadata['envoy.lb'] = tags;
    filterMetadata['envoy.transport_socket_match'] = tags;
  }
  if (hasLabels) filterMetadata['io.kuma.labels'] = sortedCopy(endpoint.labels);
  return make.metadata({ filterMetadata });
}

// An endpoint appears in its service's assignment and in every subset's; build its entry once.
const lbEndpoints = new WeakMap<Endpoint, LbEndpoint>();

function sidecarLbEndpoint(e: Endpoint): LbEndpoint {
  let entry = lbEndpoints.get(e);
  if (!entry) {
    entry = make.lbEndpoint({
      hostIdentifier: { case: 'endpoint', value: make.endpoint({ address: socketAddress(e.address, e.port) }) },
      loadBalancingWeight: e.weight > 0 ? e.weight : undefined,
      metadata: endpointMetadata(e),
    });
    lbEndpoints.set(e, entry);
  }
  return entry;
}

interface LocalityGroup {
  zone: string | undefined;
  priority: number;
  lbEndpoints: LbEndpoint[];
  weight: number;
}

/** Groups by locality; groups ordered by zone (no locality first), endpoints by address and port. */
function groupByLocality(endpoints: readonly Endpoint[], toLbEndpoint: (e: Endpoint) => LbEndpoint): LocalityGroup[] {
  const groups = new Map<string, LocalityGroup>();
  for (const endpoint of endpoints) {
    const key = endpoint.locality ? `${endpoint.locality.zone}::${endpoint.locality.priority}` : '';
    let group = groups.get(key);
    if (!group) {
      group = { zone: endpoint.locality?.zone, priority: endpoint.locality?.priority ?? 0, lbEndpoints: [], weight: 0 };
      groups.set(key, group);
    }
    group.lbEndpoints.push(toLbEndpoint(endpoint));
    group.weight += endpoint.weight;
  }
  return [...groups.values()].sort((a, b) => {
    const left = a.zone ?? '';
    const right = b.zone ?? '';
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

/** What Envoy sidecars receive over EDS. */
export function loadAssignment(clusterName: string, endpoints: readonly Endpoint[]): ClusterLoadAssignment {
  const groups = groupByLocality(endpoints, sidecarLbEndpoint);
  return make.loadAssignment({
    clusterName,
    endpoints: groups.map((g) =>
      make.localityLbEndpoints({
        locality: g.zone === undefined ? undefined : make.locality({ zone: g.zone }),
        priority: g.priority,
        lbEndpoints: g.lbEndpoints,
      }),
    ),
  });
}

/**
 * What proxyless gRPC clients receive: grpc-js-xds drops localities without a
 * weight and rejects missing localities, so every group gets one, weighted by
 * its endpoints; it has no locality-aware LB, so everything is priority 0.
 * It also rejects a repeated address, so only the first of those is kept.
 */
export function proxylessLoadAssignment(clusterName: string, endpoints: readonly Endpoint[]): ClusterLoadAssignment {
  const seen = new Set<string>();
  const flat: Endpoint[] = [];
  for (const e of endpoints) {
    const key = `${e.address}|${e.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    flat.push({ ...e, locality: e.locality && { zone: e.locality.zone, priority: 0 } });
  }
  const groups = groupByLocality(flat, (e) =>
    make.lbEndpoint({
      hostIdentifier: { case: 'endpoint', value: make.endpoint({ address: socketAddress(e.address, e.port) }) },
      loadBalancingWeight: e.weight,
      healthStatus: HealthStatus.HEALTHY,
    }),
  );
  return make.loadAssignment({
    clusterName,
    endpoints: groups.map((g) =>
      make.localityLbEndpoints({
        locality: make.locality({ zone: g.zone ?? '' }),
        loadBalancingWeight: g.weight,
        lbEndpoints: g.lbEndpoints,
      }),
    ),
  });
}

/** Collects generated resources by name; a later resource replaces an earlier one of the same name, as in Kuma's ResourceSet. */
import type { Cluster } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import type { ClusterLoadAssignment } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import type { Listener } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import type { RouteConfiguration } from '../../../gen/envoy/config/route/v3/route_pb.js';
import type { EnvoyConfig } from './types.js';

export class ResourceCollector {
  readonly listeners = new Map<string, Listener>();
  readonly clusters = new Map<string, Cluster>();
  readonly endpoints = new Map<string, ClusterLoadAssignment>();
  readonly routes = new Map<string, RouteConfiguration>();

  addListener(listener: Listener): void {
    this.listeners.set(listener.name, listener);
  }

  addCluster(cluster: Cluster): void {
    this.clusters.set(cluster.name, cluster);
  }

  addEndpoints(assignment: ClusterLoadAssignment): void {
    this.endpoints.set(assignment.clusterName, assignment);
  }

  addRoute(route: RouteConfiguration): void {
    this.routes.set(route.name, route);
  }

  /** Each list sorted by name, so equal input gives equal output. */
  toConfig(): EnvoyConfig {
    return {
      listeners: sortedValues(this.listeners),
      clusters: sortedValues(this.clusters),
      endpoints: sortedValues(this.endpoints),
      routes: sortedValues(this.routes),
    };
  }
}

function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map.keys()].sort().map((key) => map.get(key)!);
}

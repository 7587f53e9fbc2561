/** A proxy's configuration in the shape of Envoy's `/config_dump`, so existing tooling can read it. */
import { toJson, type DescMessage, type JsonObject, type MessageShape } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { ListenerSchema } from '../../gen/envoy/config/listener/v3/listener_pb.js';
import { ClusterSchema } from '../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ClusterLoadAssignmentSchema } from '../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { RouteConfigurationSchema } from '../../gen/envoy/config/route/v3/route_pb.js';
import { envoyRegistry } from '../envoy/type-registry.js';
import type { EnvoyConfig } from './generate/types.js';
import { TYPE_URL, type ResourceSet } from './resources.js';

interface Entry {
  name: string;
  version: string;
  json: JsonObject;
}

function typed<D extends DescMessage>(schema: D, typeUrl: string, m: MessageShape<D>): JsonObject {
  return { '@type': typeUrl, ...(toJson(schema, m, { registry: envoyRegistry }) as JsonObject) };
}

function fromServed(set: ResourceSet, typeUrl: string): Entry[] {
  return [...(set.get(typeUrl)?.values() ?? [])]
    .map((r) => {
      const msg = anyUnpack(r.resource, envoyRegistry);
      if (!msg) throw new Error(`cannot decode ${typeUrl}`);
      const schema = envoyRegistry.getMessage(msg.$typeName)!;
      return { name: r.name, version: r.version, json: typed(schema, typeUrl, msg) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function fromGenerated(config: EnvoyConfig): Record<string, Entry[]> {
  const entries = <D extends DescMessage>(schema: D, typeUrl: string, items: MessageShape<D>[], nameOf: (m: MessageShape<D>) => string) =>
    items.map((m) => ({ name: nameOf(m), version: '', json: typed(schema, typeUrl, m) }));
  return {
    [TYPE_URL.Listener]: entries(ListenerSchema, TYPE_URL.Listener, config.listeners, (l) => l.name),
    [TYPE_URL.Cluster]: entries(ClusterSchema, TYPE_URL.Cluster, config.clusters, (c) => c.name),
    [TYPE_URL.ClusterLoadAssignment]: entries(ClusterLoadAssignmentSchema, TYPE_URL.ClusterLoadAssignment, config.endpoints, (e) => e.clusterName),
    [TYPE_URL.RouteConfiguration]: entries(RouteConfigurationSchema, TYPE_URL.RouteConfiguration, config.routes, (r) => r.name),
  };
}

/** Prefers what was actually served to the proxy; falls back to a fresh generation when it is not connected. */
export function configDump(generated: EnvoyConfig, served?: ResourceSet): JsonObject {
  const pick = (typeUrl: string) => (served ? fromServed(served, typeUrl) : fromGenerated(generated)[typeUrl]);
  return {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        dynamicListeners: pick(TYPE_URL.Listener).map((e) => ({ name: e.name, activeState: { versionInfo: e.version, listener: e.json } })),
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
        dynamicActiveClusters: pick(TYPE_URL.Cluster).map((e) => ({ versionInfo: e.version, cluster: e.json })),
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.EndpointsConfigDump',
        dynamicEndpointConfigs: pick(TYPE_URL.ClusterLoadAssignment).map((e) => ({ versionInfo: e.version, endpointConfig: e.json })),
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
        dynamicRouteConfigs: pick(TYPE_URL.RouteConfiguration).map((e) => ({ versionInfo: e.version, routeConfig: e.json })),
      },
    ],
  };
}

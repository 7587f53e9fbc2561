/** Builders for generator inputs and a protojson view of the output, shaped like Kuma's goldens. */
import { toBinary, toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ClusterSchema } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ClusterLoadAssignmentSchema } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { RouteConfigurationSchema } from '../../../gen/envoy/config/route/v3/route_pb.js';
import type { Resource } from '../../../src/core/resource.js';
import { parseMessage } from '../../../src/core/schema.js';
import { FieldPath, Violations } from '../../../src/core/validation.js';
import { envoyRegistry } from '../../../src/envoy/type-registry.js';
import { dataplaneSchema } from '../../../src/resources/dataplane.js';
import { meshSchema } from '../../../src/resources/mesh.js';
import type { EnvoyConfig, Proxy, ProxyMetadata } from '../../../src/xds/generate/index.js';

type Json = any;

/** A resource whose spec went through the schema, so it has the store's normalised shape. */
function resource(type: string, schema: typeof dataplaneSchema, name: string, mesh: string, spec: unknown, labels: Record<string, string>): Resource {
  const v = new Violations();
  const normalised = parseMessage(schema, spec, FieldPath.root(), v);
  if (v.list.length > 0) throw new Error(`invalid ${type} ${name}: ${JSON.stringify(v.list)}`);
  const time = new Date('2018-07-17T16:05:36.995Z');
  return { type, meta: { name, mesh, version: '1', labels, creationTime: time, modificationTime: time }, spec: normalised ?? {} };
}

export function dataplane(name: string, spec: unknown, options: { mesh?: string; labels?: Record<string, string> } = {}): Resource {
  return resource('Dataplane', dataplaneSchema, name, options.mesh ?? 'default', spec, options.labels ?? {});
}

export function mesh(name: string, spec: unknown = {}): Resource {
  return resource('Mesh', meshSchema, name, '', spec, {});
}

export const BUILTIN_MTLS = { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] };

/** A Dataplane with one inbound on `address:port`, for building endpoints. */
export function endpointDataplane(name: string, address: string, port: number, tags: Record<string, string>, extra: Record<string, unknown> = {}): Resource {
  return dataplane(name, { networking: { address, inbound: [{ port, tags, ...extra }] } });
}

export function metadata(overrides: Partial<ProxyMetadata> = {}): ProxyMetadata {
  return { adminPort: 0, features: [], proxyless: false, ...overrides };
}

export function proxyOf(dp: Resource, overrides: Partial<ProxyMetadata> = {}, rest: Partial<Proxy> = {}): Proxy {
  return { dataplane: dp, metadata: metadata(overrides), ...rest };
}

const SCHEMAS = {
  listeners: ListenerSchema,
  clusters: ClusterSchema,
  endpoints: ClusterLoadAssignmentSchema,
  routes: RouteConfigurationSchema,
} as const;

function render<S extends DescMessage>(schema: S, message: MessageShape<S>): Json {
  return { '@type': `type.googleapis.com/${schema.typeName}`, ...(toJson(schema, message, { registry: envoyRegistry }) as object) };
}

export interface Rendered {
  listeners: Map<string, Json>;
  clusters: Map<string, Json>;
  endpoints: Map<string, Json>;
  routes: Map<string, Json>;
}

/** Each resource as protojson with its `@type`, by name. */
export function renderConfig(config: EnvoyConfig): Rendered {
  return {
    listeners: new Map(config.listeners.map((l) => [l.name, render(SCHEMAS.listeners, l)])),
    clusters: new Map(config.clusters.map((c) => [c.name, render(SCHEMAS.clusters, c)])),
    endpoints: new Map(config.endpoints.map((e) => [e.clusterName, render(SCHEMAS.endpoints, e)])),
    routes: new Map(config.routes.map((r) => [r.name, render(SCHEMAS.routes, r)])),
  };
}

/** Every resource's wire bytes, in output order. */
export function configBytes(config: EnvoyConfig): Buffer {
  const parts: Uint8Array[] = [
    ...config.listeners.map((m) => toBinary(ListenerSchema, m)),
    ...config.clusters.map((m) => toBinary(ClusterSchema, m)),
    ...config.endpoints.map((m) => toBinary(ClusterLoadAssignmentSchema, m)),
    ...config.routes.map((m) => toBinary(RouteConfigurationSchema, m)),
  ];
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}

/** Golden `resources:` entries of one `@type`, by name. */
export function goldenByType(golden: Json, typeUrl: string): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const entry of golden.resources ?? []) {
    if (entry.resource['@type'] === typeUrl) out.set(entry.name, entry.resource);
  }
  return out;
}

export const TYPE = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoints: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
} as const;

export function pick<T>(map: Map<string, T>, keep: (name: string) => boolean): Map<string, T> {
  return new Map([...map].filter(([name]) => keep(name)));
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * What the xDS server serves: per proxy, named resources grouped by type URL,
 * each already packed as `google.protobuf.Any` and versioned by a content hash.
 * The server knows nothing about meshes; it only sees these sets.
 */
import type { Any } from '@bufbuild/protobuf/wkt';

export const TYPE_URL = {
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  ClusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  RouteConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  Secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type TypeUrl = (typeof TYPE_URL)[keyof typeof TYPE_URL];

export interface XdsResource {
  name: string;
  /** Content hash of the encoded resource: equal content, equal version. */
  version: string;
  resource: Any;
}

/** typeUrl → name → resource. */
export type ResourceSet = Map<string, Map<string, XdsResource>>;

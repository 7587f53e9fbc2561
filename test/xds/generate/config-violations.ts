/** What the validate.rules checker finds in a generated configuration, one line per problem. */
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { ClusterSchema } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ClusterLoadAssignmentSchema } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { RouteConfigurationSchema } from '../../../gen/envoy/config/route/v3/route_pb.js';
import { checkMessage } from '../../../src/envoy/validate-rules.js';
import type { EnvoyConfig } from '../../../src/xds/generate/index.js';

export function configViolations(config: EnvoyConfig): string[] {
  const check = <D extends DescMessage>(schema: D, items: MessageShape<D>[], nameOf: (m: MessageShape<D>) => string) =>
    items.flatMap((m) => checkMessage(schema, m).map((v) => `${schema.typeName} ${nameOf(m)}: ${v.path}: ${v.message}`));
  return [
    ...check(ListenerSchema, config.listeners, (l) => l.name),
    ...check(ClusterSchema, config.clusters, (c) => c.name),
    ...check(ClusterLoadAssignmentSchema, config.endpoints, (e) => e.clusterName),
    ...check(RouteConfigurationSchema, config.routes, (r) => r.name),
  ];
}

/**
 * The RBAC filters guarding an inbound's mesh-mTLS chains, built from the
 * MeshTrafficPermissions that apply to it (rules in rbac.ts).
 */
import type { Resource } from '../../core/resource.js';
import type { Filter } from '../../../gen/envoy/config/listener/v3/listener_components_pb.js';
import type { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import type { InboundListener } from '../../policies/dataplane-selection.js';
import { inboundRbac as rbacOfInbound, rbacHttpFilter, rbacNetworkFilter, rbacStatPrefix } from './rbac.js';
import type { MeshSnapshot } from './types.js';

export interface InboundRbac {
  /** For TCP inbounds, ahead of tcp_proxy; its stats are named after the listener. */
  networkFilter(listenerName: string): Filter;
  /** For HTTP inbounds, first in the connection manager. */
  httpFilter(): HttpFilter;
}

/** `listener` is the inbound's address and port, which identify it even where tags do not. */
export function inboundRbac(
  snapshot: MeshSnapshot,
  dataplane: Resource,
  inboundTags: Readonly<Record<string, string>>,
  listener: InboundListener,
): InboundRbac {
  const { rules, shadowRules } = rbacOfInbound(snapshot, dataplane, inboundTags, listener);
  return {
    networkFilter: (listenerName) => rbacNetworkFilter(rules, rbacStatPrefix(listenerName), shadowRules),
    httpFilter: () => rbacHttpFilter(rules, shadowRules),
  };
}

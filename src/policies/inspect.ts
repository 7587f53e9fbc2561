/**
 * What `ferryctl inspect dataplane NAME --type policies` shows: per inbound, the
 * MeshTrafficPermissions that select it and the client rules they add up to. A delegated
 * gateway has no inbounds, so permissions only ever apply to it as a client (on the
 * destination's inbound, through its gateway `kuma.io/service`).
 */
import type { Resource } from '../core/resource.js';
import { selectedByPolicy } from './dataplane-selection.js';
import { inboundFromRules, policiesForInbound, topLevelTargetRef } from './inbound-from-rules.js';
import type { Subset } from './subset.js';

interface InboundSpec {
  address?: string;
  port?: number;
  tags?: Record<string, string>;
}

export interface InboundPermissions {
  inbound: string;
  service?: string;
  policies: string[];
  /** Client subsets in the order Envoy's RBAC sees them; none means every client is denied under mTLS. */
  rules: { from: string; action: string }[];
}

export interface DataplanePermissions {
  type: 'MeshTrafficPermission';
  gateway: boolean;
  inbounds: InboundPermissions[];
  /** Policies whose top-level targetRef selects the gateway itself (they have no inbound to act on). */
  gatewayPolicies: string[];
}

function describeSubset(subset: Subset): string {
  if (subset.length === 0) return '*';
  return subset.map((t) => `${t.not ? '!' : ''}${t.key}=${t.value}`).join(',');
}

export function trafficPermissionsFor(dataplane: Resource, permissions: readonly Resource[]): DataplanePermissions {
  const networking = (dataplane.spec.networking ?? {}) as { address?: string; inbound?: InboundSpec[]; gateway?: { type?: string } };
  const inbounds: InboundPermissions[] = (networking.inbound ?? []).map((inbound) => {
    const listener = { address: inbound.address ?? networking.address ?? '', port: inbound.port ?? 0 };
    const rules = inboundFromRules<{ action?: string }>(permissions, dataplane, listener, 'components') ?? [];
    return {
      inbound: `${listener.address}:${listener.port}`,
      service: inbound.tags?.['kuma.io/service'],
      policies: policiesForInbound(permissions, dataplane, listener).map((p) => p.meta.name),
      rules: rules.map((r) => ({ from: describeSubset(r.subset), action: r.conf.action ?? 'Allow' })),
    };
  });
  const gateway = networking.gateway !== undefined;
  return {
    type: 'MeshTrafficPermission',
    gateway,
    inbounds,
    gatewayPolicies: gateway
      ? permissions.filter((p) => selectedByPolicy(p.meta, topLevelTargetRef(p.spec), dataplane).delegatedGateway).map((p) => p.meta.name)
      : [],
  };
}

/**
 * Which parts of a Dataplane a policy's top-level targetRef selects
 * (`DppSelectedByPolicy` in Kuma's `pkg/plugins/policies/core/matchers/dataplane.go`):
 * its inbound listeners (address:port) and, for a delegated gateway, the gateway
 * itself. Zone and namespace gates apply first.
 *
 * Not covered: `MeshGateway` (builtin gateways, which Ferry does not run) and
 * `MeshHTTPRoute` (no such kind in Ferry yet) select nothing; other kinds select
 * nothing either, as Kuma reports them as unresolvable.
 */
import type { Labels, Resource, ResourceMeta } from '../core/resource.js';
import { isDelegatedGateway } from '../resources/dataplane.js';
import type { TargetRef } from '../resources/target-ref.js';
import { displayName, ORIGIN_LABEL, policyRole } from './policy-order.js';
import { SERVICE_TAG } from './subset.js';

const ZONE_LABEL = 'kuma.io/zone';
const NAMESPACE_LABEL = 'k8s.kuma.io/namespace';

export interface InboundListener {
  address: string;
  port: number;
}

export interface Selection {
  inbounds: InboundListener[];
  delegatedGateway: boolean;
}

interface InboundSpec {
  address?: string;
  port?: number;
  name?: string;
  tags?: Record<string, string>;
}

interface ListenerSpec {
  address?: string;
  port?: number;
  name?: string;
}

interface NetworkingSpec {
  address?: string;
  inbound?: InboundSpec[];
  listeners?: ListenerSpec[];
  gateway?: { type?: string; tags?: Record<string, string> };
}

const NOTHING: Selection = { inbounds: [], delegatedGateway: false };

function networkingOf(dataplane: Resource): NetworkingSpec {
  return (dataplane.spec.networking ?? {}) as NetworkingSpec;
}

/** Kuma's tag selector: every selector key present with an equal value, `*` matching any. */
export function tagsMatch(selector: Readonly<Record<string, string>> | undefined, tags: Readonly<Record<string, string>> | undefined): boolean {
  for (const [key, value] of Object.entries(selector ?? {})) {
    const actual = tags?.[key];
    if (actual === undefined) return false;
    if (value !== actual && value !== '*') return false;
  }
  return true;
}

/** An inbound's section name: its `name`, else its port. */
export function inboundSectionName(inbound: { name?: string; port?: number }): string {
  return inbound.name || String(inbound.port ?? 0);
}

function proxyTypeAllowed(ref: TargetRef, networking: NetworkingSpec): boolean {
  const types = ref.proxyTypes ?? [];
  return types.length === 0 || types.includes(networking.gateway ? 'Gateway' : 'Sidecar');
}

function byTags(selector: Record<string, string> | undefined, dataplane: Resource): Selection {
  const networking = networkingOf(dataplane);
  const inbounds = (networking.inbound ?? [])
    .filter((inbound) => tagsMatch(selector, inbound.tags))
    .map((inbound) => ({ address: inbound.address || networking.address || '', port: inbound.port ?? 0 }));
  const delegatedGateway = isDelegatedGateway(dataplane.spec) && tagsMatch(selector, networking.gateway?.tags);
  return { inbounds, delegatedGateway };
}

function embeddedListeners(networking: NetworkingSpec, sectionName = ''): InboundListener[] {
  return (networking.listeners ?? [])
    .filter((l) => sectionName === '' || (l.name || String(l.port ?? 0)) === sectionName)
    .map((l) => ({ address: l.address || networking.address || '', port: l.port ?? 0 }));
}

/** Consumer and workload-owner policies (Kubernetes) only reach proxies in their own namespace. */
function namespaceAllows(policy: ResourceMeta, dataplane: Resource): boolean {
  const role = policyRole(policy.labels);
  if (role !== 'consumer' && role !== 'workload-owner') return true;
  const namespace = policy.labels[NAMESPACE_LABEL];
  return namespace !== undefined && namespace === dataplane.meta.labels[NAMESPACE_LABEL];
}

/** A policy created in one zone only reaches that zone's proxies. */
function zoneAllows(policy: ResourceMeta, dataplane: Resource): boolean {
  if (policyRole(policy.labels) === 'producer') return true;
  const dpOrigin = dataplane.meta.labels[ORIGIN_LABEL];
  if (!dpOrigin || dpOrigin === 'global') return true;
  if (policy.labels[ORIGIN_LABEL] !== 'zone') return true;
  const zone = policy.labels[ZONE_LABEL];
  if (zone === undefined) return true;
  return isLocalZoneResource(dataplane.meta.labels, zone);
}

function isLocalZoneResource(labels: Labels, zone: string): boolean {
  if (labels[ORIGIN_LABEL] !== 'zone') return false;
  const resourceZone = labels[ZONE_LABEL];
  return resourceZone === undefined || resourceZone === zone;
}

/** `Dataplane` by name: the same mesh, zone and namespace as the policy (or the ref's namespace), and the name. */
function selectedByName(policy: ResourceMeta, ref: TargetRef, dataplane: Resource): boolean {
  if (!ref.name) return false;
  const dp = dataplane.meta;
  return (
    dp.mesh === policy.mesh &&
    (dp.labels[ZONE_LABEL] ?? '') === (policy.labels[ZONE_LABEL] ?? '') &&
    (dp.labels[NAMESPACE_LABEL] ?? '') === (ref.namespace || policy.labels[NAMESPACE_LABEL] || '') &&
    displayName(dp.name, dp.labels) === ref.name
  );
}

function selectedByLabels(ref: TargetRef, dataplane: Resource): boolean {
  if (ref.labels === undefined) return false;
  return Object.entries(ref.labels).every(([key, value]) => dataplane.meta.labels[key] === value);
}

export function selectedByPolicy(policy: ResourceMeta, ref: TargetRef, dataplane: Resource): Selection {
  if (!zoneAllows(policy, dataplane) || !namespaceAllows(policy, dataplane)) return NOTHING;
  const networking = networkingOf(dataplane);
  switch (ref.kind) {
    case 'Mesh': {
      if (!proxyTypeAllowed(ref, networking)) return NOTHING;
      const selection = byTags(undefined, dataplane);
      return { ...selection, inbounds: [...selection.inbounds, ...embeddedListeners(networking)] };
    }
    case 'Dataplane': {
      const all = !ref.name && !ref.namespace && ref.labels === undefined;
      if (!all && !selectedByName(policy, ref, dataplane) && !selectedByLabels(ref, dataplane)) return NOTHING;
      const section = ref.sectionName ?? '';
      const inbounds = (networking.inbound ?? [])
        .filter((inbound) => section === '' || inboundSectionName(inbound) === section)
        .map((inbound) => ({ address: inbound.address || networking.address || '', port: inbound.port ?? 0 }));
      return { inbounds: [...inbounds, ...embeddedListeners(networking, section)], delegatedGateway: isDelegatedGateway(dataplane.spec) };
    }
    case 'MeshSubset':
      return proxyTypeAllowed(ref, networking) ? byTags(ref.tags, dataplane) : NOTHING;
    case 'MeshService':
      return byTags({ [SERVICE_TAG]: ref.name ?? '' }, dataplane);
    case 'MeshServiceSubset':
      return byTags({ [SERVICE_TAG]: ref.name ?? '', ...ref.tags }, dataplane);
    default:
      return NOTHING;
  }
}

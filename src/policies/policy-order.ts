/**
 * The order in which policies selecting the same proxy are applied, least
 * specific first, so later ones win (`SortByTargetRef` in Kuma's matchers):
 * top-level kind, then Dataplane refinements, origin, role, and finally name —
 * descending, so of two equal policies the alphabetically first wins.
 */
import { compareGoStrings } from '../core/go-compat/sort.js';
import type { Labels } from '../core/resource.js';
import type { TargetRef, TargetRefKind } from '../resources/target-ref.js';

export const ORIGIN_LABEL = 'kuma.io/origin';
export const POLICY_ROLE_LABEL = 'kuma.io/policy-role';
export const DISPLAY_NAME_LABEL = 'kuma.io/display-name';

const KIND_ORDER: Readonly<Record<TargetRefKind, number>> = {
  Mesh: 1,
  Dataplane: 2,
  MeshSubset: 3,
  MeshGateway: 4,
  MeshService: 5,
  MeshExternalService: 6,
  MeshMultiZoneService: 7,
  MeshServiceSubset: 8,
  MeshHTTPRoute: 9,
};

// A policy without an origin ranks between global and zone ones.
const ORIGIN_ORDER: Readonly<Record<string, number>> = { global: 1, '': 2, zone: 3 };
const ROLE_ORDER: Readonly<Record<string, number>> = { system: 1, producer: 2, consumer: 3, 'workload-owner': 4 };

export interface OrderedPolicy {
  name: string;
  labels: Labels;
  /** The top-level targetRef, `{kind: Mesh}` when the spec has none. */
  targetRef: TargetRef;
}

export function specificity(kind: TargetRefKind): number {
  return KIND_ORDER[kind] ?? 0;
}

export function policyRole(labels: Labels): string {
  return labels[POLICY_ROLE_LABEL] || 'system';
}

export function displayName(name: string, labels: Labels): string {
  return labels[DISPLAY_NAME_LABEL] || name;
}

function compareDataplaneRefs(a: TargetRef, b: TargetRef): number {
  if (a.kind !== 'Dataplane' || b.kind !== 'Dataplane') return 0;
  const byName = (r: TargetRef) => (r.name ?? '') !== '';
  const byLabels = (r: TargetRef) => r.labels !== undefined;
  if (byName(a) && byLabels(b)) return 1;
  if (byLabels(a) && byName(b)) return -1;
  const hasSection = (r: TargetRef) => (r.sectionName ?? '') !== '';
  if (hasSection(a) && !hasSection(b)) return 1;
  if (!hasSection(a) && hasSection(b)) return -1;
  return 0;
}

export function comparePolicies(a: OrderedPolicy, b: OrderedPolicy): number {
  return (
    specificity(a.targetRef.kind) - specificity(b.targetRef.kind) ||
    compareDataplaneRefs(a.targetRef, b.targetRef) ||
    (ORIGIN_ORDER[a.labels[ORIGIN_LABEL] ?? ''] ?? 0) - (ORIGIN_ORDER[b.labels[ORIGIN_LABEL] ?? ''] ?? 0) ||
    (a.targetRef.kind === 'MeshGateway' ? Object.keys(a.targetRef.tags ?? {}).length - Object.keys(b.targetRef.tags ?? {}).length : 0) ||
    (ROLE_ORDER[policyRole(a.labels)] ?? 0) - (ROLE_ORDER[policyRole(b.labels)] ?? 0) ||
    compareGoStrings(displayName(b.name, b.labels), displayName(a.name, a.labels))
  );
}

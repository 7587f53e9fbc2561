/**
 * The role of a targetRef policy applied in a Kubernetes namespace (Kuma's `kuma.io/policy-role`):
 * `system` in the control plane's namespace (or with no namespace), `workload-owner` for `from`-only
 * or single-item policies, `producer` when every `to` item names a MeshService/MeshHTTPRoute of the
 * policy's own namespace, `consumer` when none does. Mixing is refused.
 */
import type { Spec } from './resource.js';

export type PolicyRole = 'system' | 'workload-owner' | 'producer' | 'consumer';

export interface PolicyNamespace {
  name: string;
  system: boolean;
}

interface TargetRefLike {
  kind?: string;
  name?: string;
  namespace?: string;
}

const PRODUCER_KINDS = new Set(['MeshService', 'MeshHTTPRoute']);

export function policyRole(spec: Spec, namespace: PolicyNamespace | undefined): PolicyRole {
  if (!namespace || namespace.name === '' || namespace.system) return 'system';
  const to = Array.isArray(spec.to) ? (spec.to as { targetRef?: TargetRefLike }[]) : [];
  const from = Array.isArray(spec.from) ? spec.from : [];
  if (to.length > 0 && from.length > 0) throw new Error("it's not allowed to mix 'to' and 'from' arrays in the same policy");
  if (to.length === 0) return 'workload-owner';
  const producer = (ref: TargetRefLike | undefined) =>
    ref !== undefined && PRODUCER_KINDS.has(ref.kind ?? '') && (ref.name ?? '') !== '' && ((ref.namespace ?? '') === '' || ref.namespace === namespace.name);
  const producers = to.filter((item) => producer(item.targetRef)).length;
  if (producers === to.length) return 'producer';
  if (producers === 0) return 'consumer';
  throw new Error("it's not allowed to mix producer and consumer items in the same policy");
}

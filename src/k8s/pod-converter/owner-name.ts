import type { Pod, ReplicaSet } from './types.js';

export interface OwnerName {
  name: string;
  kind: string;
}

/**
 * Name and kind of the workload that owns a pod: a ReplicaSet resolves to its Deployment
 * (or itself when it has no owner), any other owner is taken as is, no owner means the pod.
 * Jobs are not followed to CronJobs: no Job reader is available here.
 */
export function ownerNameOf(pod: Pod, replicaSets: ReplicaSet[]): OwnerName {
  const namespace = pod.metadata.namespace;
  for (const owner of pod.metadata.ownerReferences ?? []) {
    if (owner.kind !== 'ReplicaSet') return { name: owner.name, kind: owner.kind ?? '' };
    const replicaSet = replicaSets.find((rs) => rs.metadata.name === owner.name && rs.metadata.namespace === namespace);
    if (!replicaSet) throw new Error(`replicasets.apps "${owner.name}" not found`);
    const rsOwners = replicaSet.metadata.ownerReferences ?? [];
    if (rsOwners.length === 0) return { name: owner.name, kind: 'ReplicaSet' };
    const deployment = rsOwners.find((o) => o.kind === 'Deployment');
    if (deployment) return { name: deployment.name, kind: 'Deployment' };
    // A ReplicaSet owned by something else: keep looking at the pod's other owners.
  }
  return { name: pod.metadata.name ?? '', kind: '' };
}

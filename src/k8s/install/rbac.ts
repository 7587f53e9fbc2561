/**
 * The control plane's identity and least-privilege RBAC: cluster-wide reads of the workloads it
 * converts, writes only to what it maintains, and Secrets/ConfigMaps only in its own namespace.
 */
import { KUMA_GROUP } from '../kinds.js';
import { CONTROL_PLANE_NAME, SERVICE_ACCOUNT_NAME, commonLabels } from './names.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ['get', 'list', 'watch'];
const READ_WRITE = [...READ, 'create', 'update', 'patch', 'delete'];

export const CLUSTER_RULES: PolicyRule[] = [
  // pods become Dataplanes; services give them tags and outbounds; namespaces hold the injection and mesh labels
  { apiGroups: [''], resources: ['pods', 'services', 'namespaces'], verbs: READ },
  // the service controller writes the upstream annotations back onto Services
  { apiGroups: [''], resources: ['services'], verbs: ['update', 'patch'] },
  // a selector-less Service's pods are the targets of its EndpointSlices
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  // a pod's ReplicaSet names its Deployment, which the converter uses as the workload
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
  // Dataplanes carry a blocking owner reference to their pod, which needs update on the pod's finalizers
  { apiGroups: [''], resources: ['pods/finalizers'], verbs: ['update'] },
  // the store keeps every Kuma resource the control plane reads or writes as a custom resource
  {
    apiGroups: [KUMA_GROUP],
    resources: ['meshes', 'dataplanes', 'dataplaneinsights', 'serviceinsights', 'meshtrafficpermissions'],
    verbs: READ_WRITE,
  },
  // sidecars authenticate with their pod's service-account token, which the API server reviews
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  // the pod controller tells `kubectl describe pod` what it did (Created/Updated/FailedToGenerate KumaDataplane)
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
];

export const NAMESPACE_RULES: PolicyRule[] = [
  // Kuma Secrets/GlobalSecrets (CA keys, tokens) and the Config kind live in the system namespace only
  { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: READ_WRITE },
  // replicas elect the one that runs the pod and Service controllers through a Lease
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];

function serviceAccountSubject(namespace: string) {
  return [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT_NAME, namespace }];
}

export function serviceAccount(namespace: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SERVICE_ACCOUNT_NAME, namespace, labels: commonLabels() } };
}

export function clusterRole(): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: CONTROL_PLANE_NAME, labels: commonLabels() },
    rules: CLUSTER_RULES,
  };
}

export function clusterRoleBinding(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: CONTROL_PLANE_NAME, labels: commonLabels() },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CONTROL_PLANE_NAME },
    subjects: serviceAccountSubject(namespace),
  };
}

export function namespacedRole(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: CONTROL_PLANE_NAME, namespace, labels: commonLabels() },
    rules: NAMESPACE_RULES,
  };
}

export function namespacedRoleBinding(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: CONTROL_PLANE_NAME, namespace, labels: commonLabels() },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CONTROL_PLANE_NAME },
    subjects: serviceAccountSubject(namespace),
  };
}

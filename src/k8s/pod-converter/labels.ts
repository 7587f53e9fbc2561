import type { StringMap } from './types.js';

export interface LabelOptions {
  mesh: string;
  namespace: string;
  serviceAccount?: string;
  workload?: string;
}

/**
 * Dataplane labels: existing ∪ pod labels, then the computed ones. The proxy type is always
 * `sidecar`: delegated gateways count as sidecars (builtin gateways use another converter).
 */
export function dataplaneLabels(existing: StringMap, podLabels: StringMap, options: LabelOptions): StringMap {
  const labels: StringMap = { ...existing, ...podLabels };
  labels['kuma.io/mesh'] ??= options.mesh || 'default';
  if (options.namespace !== '') labels['k8s.kuma.io/namespace'] ??= options.namespace;
  labels['kuma.io/proxy-type'] = 'sidecar';
  if (options.serviceAccount) labels['k8s.kuma.io/service-account'] = options.serviceAccount;
  if (options.workload) labels['kuma.io/workload'] = options.workload;
  return labels;
}

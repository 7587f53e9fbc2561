import { MESH_LABEL } from '../kinds.js';

interface Labelled {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface PodMesh {
  name: string;
  /** True when the name came from the deprecated `kuma.io/mesh` annotation. */
  fromAnnotation: boolean;
}

/**
 * Kuma's mesh lookup for a pod: its `kuma.io/mesh` label, then the deprecated annotation of the same
 * key, then the same two on its namespace, else `default`. Empty values do not count.
 */
export function meshOfPod(pod: Labelled, namespace: Labelled | undefined): PodMesh {
  for (const obj of [pod, namespace]) {
    const label = obj?.metadata?.labels?.[MESH_LABEL];
    if (label) return { name: label, fromAnnotation: false };
    const annotation = obj?.metadata?.annotations?.[MESH_LABEL];
    if (annotation) return { name: annotation, fromAnnotation: true };
  }
  return { name: 'default', fromAnnotation: false };
}

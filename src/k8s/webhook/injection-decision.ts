/**
 * Whether a pod gets a sidecar and into which mesh, as Kuma's injector pre-check decides:
 * exception labels and an existing `kuma-sidecar` container skip it, then the pod's
 * `kuma.io/sidecar-injection` label, then the namespace's.
 */
import type { V1Namespace } from '@kubernetes/client-node';
import { AnnotationReader } from '../injector/annotation-reader.js';
import type { InjectorConfig, Pod } from '../injector/index.js';

const SIDECAR_INJECTION = 'kuma.io/sidecar-injection';
const MESH = 'kuma.io/mesh';
const SIDECAR_CONTAINER = 'kuma-sidecar';
const DEFAULT_MESH = 'default';

export function needsInjection(pod: Pod, namespace: V1Namespace, config: InjectorConfig): boolean {
  if (matchesException(pod, config)) return false;
  const containers = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  if (containers.some((c) => c.name === SIDECAR_CONTAINER)) return false;
  const byPod = new AnnotationReader(pod.metadata.labels ?? {}).enabled(SIDECAR_INJECTION);
  if (byPod.exists) return byPod.value;
  const byNamespace = new AnnotationReader(namespace.metadata?.labels ?? {}).enabled(SIDECAR_INJECTION);
  return byNamespace.exists && byNamespace.value;
}

// `exceptions.labels` values match exactly, or any value with `*`.
function matchesException(pod: Pod, config: InjectorConfig): boolean {
  const exceptions = (config.exceptions as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  const labels = pod.metadata.labels ?? {};
  return Object.entries(exceptions).some(([key, value]) => key in labels && (value === '*' || value === labels[key]));
}

/** Pod label, then the deprecated pod annotation, then the same on the namespace; `default` otherwise. */
export function meshOfPod(pod: Pod, namespace: V1Namespace): string {
  const candidates = [pod.metadata.labels, pod.metadata.annotations, namespace.metadata?.labels, namespace.metadata?.annotations];
  for (const source of candidates) {
    const mesh = source?.[MESH];
    if (mesh) return mesh;
  }
  return DEFAULT_MESH;
}

/** Kuma refuses app containers running as the sidecar's UID: their traffic would bypass redirection. */
export function sidecarUidConflict(pod: Pod, config: InjectorConfig): string | undefined {
  const sidecarUid = config.sidecarContainer?.uid ?? 0;
  const clashing = pod.spec.containers
    .filter((c) => (c.securityContext as { runAsUser?: number } | undefined)?.runAsUser === sidecarUid)
    .map((c) => c.name);
  if (clashing.length === 0) return undefined;
  return `containers using same UID as sidecar is unsupported: [${clashing.map((n) => JSON.stringify(n)).join(' ')}]`;
}

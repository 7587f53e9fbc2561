import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { IGNORE_ANNOTATION, parseEnabled } from '../service-controller.js';

function ignored(service: V1Service): boolean {
  try {
    return parseEnabled(service.metadata?.annotations, IGNORE_ANNOTATION);
  } catch {
    // Kuma treats an unreadable kuma.io/ignore as "not ignored" here.
    return false;
  }
}

export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels?.[key] === value);
}

/** The Service an EndpointSlice belongs to, by Kubernetes' `kubernetes.io/service-name` label. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface EndpointSliceLike {
  metadata?: { namespace?: string; labels?: Record<string, string> };
  endpoints?: { targetRef?: { uid?: string; kind?: string; name?: string } }[];
}

/** Whether one of the Service's EndpointSlices names the pod (by uid) as an endpoint's target. */
function slicesTarget(svc: V1Service, pod: V1Pod, slices: readonly EndpointSliceLike[]): boolean {
  const uid = pod.metadata?.uid;
  if (!uid) return false;
  return slices.some(
    (slice) =>
      slice.metadata?.namespace === svc.metadata?.namespace &&
      slice.metadata?.labels?.[SERVICE_NAME_LABEL] === svc.metadata?.name &&
      (slice.endpoints ?? []).some((e) => e.targetRef?.uid === uid),
  );
}

/**
 * Services of the pod's namespace that pick the pod, minus `kuma.io/ignore` ones, sorted by name so
 * inbound order does not depend on creation order: by selector, or for a selector-less Service (its
 * endpoints managed by hand or by another controller) through its EndpointSlices, as Kuma does.
 */
export function servicesForPod(pod: V1Pod, candidates: readonly V1Service[], slices: readonly EndpointSliceLike[] = []): V1Service[] {
  return candidates
    .filter((svc) => svc.metadata?.namespace === pod.metadata?.namespace && !ignored(svc))
    .filter((svc) =>
      Object.keys(svc.spec?.selector ?? {}).length === 0 ? slicesTarget(svc, pod, slices) : selectorMatches(svc.spec?.selector, pod.metadata?.labels),
    )
    .sort((a, b) => compare(a.metadata?.name ?? '', b.metadata?.name ?? ''));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

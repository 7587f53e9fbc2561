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

/**
 * Services of the pod's namespace whose selector picks the pod, minus `kuma.io/ignore` ones, sorted by
 * name so inbound order does not depend on creation order. Selector-less Services (matched through
 * EndpointSlices by Kuma) are not considered.
 */
export function servicesForPod(pod: V1Pod, candidates: readonly V1Service[]): V1Service[] {
  return candidates
    .filter((svc) => svc.metadata?.namespace === pod.metadata?.namespace)
    .filter((svc) => !ignored(svc) && selectorMatches(svc.spec?.selector, pod.metadata?.labels))
    .sort((a, b) => compare(a.metadata?.name ?? '', b.metadata?.name ?? ''));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

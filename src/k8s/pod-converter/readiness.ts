import type { Container, ContainerStatus, Pod } from './types.js';

export const sidecarContainerName = 'kuma-sidecar';

const statusOf = (name: string | undefined, statuses: ContainerStatus[]) =>
  statuses.find((status) => (status.name ?? '') === (name ?? ''));

function sidecarReady(pod: Pod): boolean {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return statusOf(sidecarContainerName, statuses)?.ready !== false;
}

/** A Service inbound is ready unless its container or the sidecar reports not-ready, or the pod is terminating. */
export function serviceInboundReady(pod: Pod, container: Container | undefined): boolean {
  if (container && statusOf(container.name, pod.status?.containerStatuses ?? [])?.ready === false) return false;
  if (!sidecarReady(pod)) return false;
  return !pod.metadata.deletionTimestamp;
}

/** The serviceless inbound is ready unless any container (application or sidecar) reports not-ready. */
export function servicelessInboundReady(pod: Pod): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  for (const container of pod.spec?.containers ?? []) {
    if (container.name !== sidecarContainerName && statusOf(container.name, statuses)?.ready === false) return false;
  }
  return sidecarReady(pod);
}

import { PodAnnotations } from './annotations.js';
import { protocolFor } from './protocol.js';
import { serviceTag } from './service-tag.js';
import type { Pod, Service, ServicePort, StringMap } from './types.js';

export const isHeadless = (service: Service) => service.spec?.clusterIP === 'None';

function nonEmptyLabels(pod: Pod, dropKumaKeys: boolean): StringMap {
  const tags: StringMap = {};
  for (const [key, value] of Object.entries(pod.metadata.labels ?? {})) {
    if (value === '' || (dropKumaKeys && key.includes('kuma.io/'))) continue;
    tags[key] = String(value);
  }
  return tags;
}

/** Tags of the inbound that a Service port produces. */
export function tagsForServicePort(zone: string, pod: Pod, service: Service, port: ServicePort, nodeLabels: StringMap): StringMap {
  const namespace = service.metadata.namespace ?? '';
  const tags = nonEmptyLabels(pod, true);
  tags['k8s.kuma.io/namespace'] = pod.metadata.namespace ?? '';
  tags['k8s.kuma.io/service-name'] = service.metadata.name ?? '';
  tags['k8s.kuma.io/service-port'] = String(port.port);
  tags['kuma.io/service'] = serviceTag(service.metadata.name ?? '', namespace, port.port);
  if (zone !== '') tags['kuma.io/zone'] = zone;
  Object.assign(tags, nodeLabels);
  const protocol = protocolFor(service, port);
  // Delegated gateways only speak tcp, so any other protocol tag is left out for them.
  const isGateway = safeEnabled(new PodAnnotations(pod.metadata.annotations), 'kuma.io/gateway');
  if (!(isGateway && protocol !== 'tcp')) tags['kuma.io/protocol'] = protocol;
  if (isHeadless(service)) tags['kuma.io/instance'] = pod.metadata.name ?? '';
  return tags;
}

// `provided` is not a boolean, so it reads as "not enabled" here (errors are ignored).
function safeEnabled(annotations: PodAnnotations, key: string): boolean {
  try {
    return annotations.enabled(key) === true;
  } catch {
    return false;
  }
}

/** Tags of the reserved-port inbound of a pod that no Service selects. */
export function tagsForServicelessPod(zone: string, pod: Pod, ownerName: string, nodeLabels: StringMap): StringMap {
  const namespace = pod.metadata.namespace ?? '';
  const tags = nonEmptyLabels(pod, false);
  tags['k8s.kuma.io/namespace'] = namespace;
  tags['kuma.io/service'] = serviceTag(ownerName, namespace);
  if (zone !== '') tags['kuma.io/zone'] = zone;
  tags['kuma.io/protocol'] = 'tcp';
  tags['kuma.io/instance'] = pod.metadata.name ?? '';
  Object.assign(tags, nodeLabels);
  return tags;
}

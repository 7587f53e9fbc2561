import type { Container, Pod, ServicePort } from './types.js';

export interface ResolvedPort {
  port: number;
  name: string;
  container?: Container;
}

const orTcp = (protocol: string | undefined) => protocol || 'TCP';

/**
 * Resolves a Service port's targetPort against the pod's containers. A numeric target
 * needs no declared container port (declarations are informational in Kubernetes).
 */
export function findTargetPort(pod: Pod, servicePort: ServicePort): ResolvedPort | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  const containers = pod.spec?.containers ?? [];
  const protocol = orTcp(servicePort.protocol);
  const matches = (declared: { name?: string; containerPort: number; protocol?: string }) =>
    orTcp(declared.protocol) === protocol &&
    (typeof target === 'number' ? declared.containerPort === target : declared.name === target);
  for (const container of containers) {
    for (const declared of container.ports ?? []) {
      if (matches(declared)) return { port: declared.containerPort, name: declared.name ?? '', container };
    }
  }
  return typeof target === 'number' ? { port: target, name: '' } : undefined;
}

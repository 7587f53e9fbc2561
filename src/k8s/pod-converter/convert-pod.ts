import { PodAnnotations } from './annotations.js';
import { delegatedGatewayTags } from './gateway.js';
import { inboundsFor, type InboundContext } from './inbounds.js';
import { dataplaneLabels } from './labels.js';
import { metricsFor } from './metrics.js';
import { outboundsFor } from './outbounds.js';
import { transparentProxyingFor } from './transparent-proxying.js';
import type { ConvertedDataplane, DataplaneSpec, K8sDataplane, Pod, ReplicaSet, Service, StringMap } from './types.js';

export interface ConvertPodInput {
  pod: Pod;
  /** Services selecting the pod, already sorted by name. */
  services: Service[];
  /** Every Service the converter may look up (for embedded outbounds). */
  otherServices?: Service[];
  /** Peer Dataplanes; when given, outbounds are embedded in the Dataplane. */
  otherDataplanes?: K8sDataplane[];
  replicaSets?: ReplicaSet[];
  zone?: string;
  mesh: { name?: string; spec?: unknown };
  /** Labels already on the Dataplane object. */
  existingLabels?: StringMap;
  /** When true, outbounds come from the VIP ConfigMap instead of the Dataplane. */
  kubeOutboundsAsVIPs?: boolean;
}

/** Converts an injected Kubernetes Pod into the `Dataplane` object (top-level mesh, labels, spec). */
export function convertPod(input: ConvertPodInput): ConvertedDataplane {
  const { pod, services } = input;
  const annotations = new PodAnnotations(pod.metadata.annotations);
  const spec: DataplaneSpec = { networking: {} };

  const transparentProxying = transparentProxyingFor(annotations);
  if (transparentProxying) spec.networking.transparentProxying = transparentProxying;
  if (pod.status?.podIP) spec.networking.address = pod.status.podIP;

  const ctx: InboundContext = {
    zone: input.zone ?? '',
    pod,
    replicaSets: input.replicaSets ?? [],
    nodeLabels: {},
  };
  const gatewayMode = annotations.string('kuma.io/gateway');
  if (gatewayMode !== undefined) {
    // Delegated gateways have no inbounds; DELEGATED is the default type and so is not written.
    spec.networking.gateway = { tags: delegatedGatewayTags(gatewayMode, ctx, services) };
  } else {
    spec.networking.inbound = inboundsFor(ctx, services);
  }

  if (!input.kubeOutboundsAsVIPs) {
    const outbounds = outboundsFor(
      pod,
      input.otherDataplanes ?? [],
      input.otherServices ?? [],
      transparentProxying?.reachableServices,
    );
    if (outbounds.length > 0) spec.networking.outbound = outbounds;
  }

  const metrics = metricsFor(annotations);
  if (metrics) spec.metrics = metrics;

  const adminPort = annotations.uint32('kuma.io/envoy-admin-port');
  if (adminPort !== undefined) spec.networking.admin = adminPort === 0 ? {} : { port: adminPort };

  const mesh = input.mesh.name || 'default';
  const labels = dataplaneLabels(input.existingLabels ?? {}, stringLabels(pod.metadata.labels), {
    mesh,
    namespace: pod.metadata.namespace ?? '',
    serviceAccount: pod.spec?.serviceAccountName,
    workload: pod.spec?.serviceAccountName,
  });
  return { mesh, metadata: { labels }, spec };
}

const stringLabels = (labels: StringMap | undefined): StringMap =>
  Object.fromEntries(Object.entries(labels ?? {}).map(([k, v]) => [k, String(v)]));

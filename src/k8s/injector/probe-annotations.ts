import { annotation } from './annotation-names.js';
import { AnnotationReader } from './annotation-reader.js';

// Gateways take traffic directly, so neither virtual probes nor the probe proxy apply to them.
export function virtualProbesAnnotation(pod: AnnotationReader, configEnabled: boolean): 'enabled' | 'disabled' {
  const requested = pod.enabled(annotation.virtualProbes);
  const gateway = pod.enabled(annotation.gateway);
  if (gateway.value) {
    if (requested.value) throw new Error("virtual probes can't be enabled in gateway mode");
    return 'disabled';
  }
  const proxyPort = pod.uint32(annotation.applicationProbeProxyPort);
  // With the probe proxy switched off on the pod, virtual probes take over.
  if (proxyPort.exists && proxyPort.value === 0) return 'enabled';
  if (requested.exists) return requested.value ? 'enabled' : 'disabled';
  return configEnabled ? 'enabled' : 'disabled';
}

export function applicationProbeProxyPort(pod: AnnotationReader, configPort: number): number {
  const requested = pod.uint32(annotation.applicationProbeProxyPort);
  // Any value of kuma.io/gateway counts here, not only `enabled`.
  if (pod.has(annotation.gateway)) {
    if (requested.exists && requested.value > 0) {
      throw new Error("application probe proxies probes can't be enabled in gateway mode");
    }
    return 0;
  }
  return requested.exists ? requested.value : configPort;
}

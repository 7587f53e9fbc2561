import { annotation } from './annotation-names.js';
import { AnnotationReader } from './annotation-reader.js';
import type { InjectorConfig } from './config.js';
import { applicationProbeProxyPort, virtualProbesAnnotation } from './probe-annotations.js';

// Annotations written onto an injected pod; they describe the transparent proxy kuma-init installs.
export function injectedAnnotations(
  podAnnotations: Record<string, string>,
  config: InjectorConfig,
  adminPort: number,
): Record<string, string> {
  const pod = new AnnotationReader(podAnnotations);
  const sidecar = config.sidecarContainer ?? {};
  const traffic = config.sidecarTraffic ?? {};
  const result: Record<string, string> = {
    [annotation.sidecarInjected]: 'true',
    [annotation.transparentProxying]: 'enabled',
    [annotation.sidecarUid]: String(sidecar.uid ?? 0),
    // Redirect ports are global; per-pod values are ignored.
    [annotation.outboundPort]: String(sidecar.redirectPortOutbound ?? 0),
    [annotation.inboundPort]: String(sidecar.redirectPortInbound ?? 0),
  };
  if (config.cniEnabled) result[annotation.cncfNetworks] = 'kuma-cni';

  if (pod.enabled(annotation.ebpf).value || config.ebpf?.enabled) {
    throw new Error('eBPF transparent proxying is not supported by this injector');
  }

  const builtinDns = config.builtinDNS as { enabled?: boolean; port?: number; logging?: boolean } | undefined;
  const dns = pod.has(annotation.builtinDns) ? pod.enabled(annotation.builtinDns).value : Boolean(builtinDns?.enabled);
  if (dns) {
    result[annotation.builtinDns] = 'enabled';
    const port = pod.uint32('kuma.io/builtin-dns-port');
    result['kuma.io/builtin-dns-port'] = String(port.exists ? port.value : (builtinDns?.port ?? 0));
    const logging = pod.has('kuma.io/builtin-dns-logging')
      ? pod.enabled('kuma.io/builtin-dns-logging').value
      : Boolean(builtinDns?.logging);
    result['kuma.io/builtin-dns-logging'] = String(logging);
  }

  result[annotation.virtualProbes] = virtualProbesAnnotation(pod, Boolean(config.virtualProbesEnabled));
  const virtualPort = pod.uint32(annotation.virtualProbesPort);
  result[annotation.virtualProbesPort] = String(virtualPort.exists ? virtualPort.value : (config.virtualProbesPort ?? 0));
  result[annotation.applicationProbeProxyPort] = String(
    applicationProbeProxyPort(pod, config.applicationProbeProxyPort ?? 0),
  );

  const copyOrDefault = (key: string, fallback: string) => {
    const value = pod.string(key) ?? fallback;
    if (value !== '') result[key] = value;
  };
  copyOrDefault(annotation.excludeInboundPorts, (traffic.excludeInboundPorts ?? []).join(','));
  copyOrDefault(annotation.excludeOutboundPorts, (traffic.excludeOutboundPorts ?? []).join(','));
  result[annotation.ipFamilyMode] =
    (pod.has(annotation.ipFamilyMode) ? pod.string(annotation.ipFamilyMode) : sidecar.ipFamilyMode) || 'dualstack';
  const podAdminPort = pod.uint32(annotation.envoyAdminPort);
  result[annotation.envoyAdminPort] = String(podAdminPort.exists ? podAdminPort.value : adminPort);
  copyOrDefault(annotation.excludeOutboundIPs, (traffic.excludeOutboundIPs ?? []).join(','));
  copyOrDefault(annotation.excludeInboundIPs, (traffic.excludeInboundIPs ?? []).join(','));
  return result;
}

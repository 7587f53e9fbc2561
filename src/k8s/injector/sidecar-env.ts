import { annotation } from './annotation-names.js';
import { AnnotationReader } from './annotation-reader.js';
import type { InjectOptions } from './config.js';
import { formatGoDuration } from '../../core/go-compat/duration-format.js';
import { parseGoDuration } from '../../core/go-compat/duration.js';

/** Nanoseconds of a Go duration string, with Go's error for a bad one. */
function goDurationNanos(text: string): number {
  const nanos = parseGoDuration(text);
  if (nanos === undefined) throw new Error(`time: invalid duration "${text}"`);
  return Number(nanos);
}
import { applicationProbeProxyPort, virtualProbesAnnotation } from './probe-annotations.js';
import type { Json } from './types.js';

type EnvVar = { name: string; value?: string; valueFrom?: { [key: string]: Json } };

const fieldRef = (name: string, fieldPath: string): EnvVar => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});

// Environment of the sidecar, computed from the pod's annotations as they were before injection.
export function sidecarEnv(podAnnotations: Record<string, string>, options: InjectOptions): EnvVar[] {
  const pod = new AnnotationReader(podAnnotations);
  const config = options.config;
  const env = new Map<string, EnvVar>();
  const set = (name: string, value: string) => env.set(name, { name, value });

  env.set('POD_NAME', fieldRef('POD_NAME', 'metadata.name'));
  env.set('POD_NAMESPACE', fieldRef('POD_NAMESPACE', 'metadata.namespace'));
  env.set('INSTANCE_IP', fieldRef('INSTANCE_IP', 'status.podIP'));
  set('KUMA_CONTROL_PLANE_URL', options.controlPlaneUrl);
  set('KUMA_DATAPLANE_MESH', options.mesh);
  set('KUMA_DATAPLANE_DRAIN_TIME', formatGoDuration(drainTimeNanos(pod, config.sidecarContainer?.drainTime)));
  set('KUMA_DATAPLANE_RUNTIME_TOKEN_PATH', '/var/run/secrets/kubernetes.io/serviceaccount/token');
  set('KUMA_CONTROL_PLANE_CA_CERT', options.caCert);

  const transport = pod.string(annotation.xdsTransportProtocolVariant);
  if (transport !== undefined) set('KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT', transport);

  const dns = config.builtinDNS as { enabled?: boolean; port?: number; logging?: boolean; experimentalProxy?: boolean } | undefined;
  if (dns?.enabled) {
    const port = dns.port ?? 0;
    set('KUMA_DNS_ENABLED', 'true');
    set('KUMA_DNS_ENABLE_LOGGING', String(Boolean(dns.logging)));
    if (dns.experimentalProxy) {
      set('KUMA_DNS_PROXY_PORT', String(port));
    } else {
      set('KUMA_DNS_CORE_DNS_PORT', String(port));
      set('KUMA_DNS_ENVOY_DNS_PORT', String(port + 2));
      set('KUMA_DNS_CORE_DNS_BINARY_PATH', 'coredns');
    }
  } else {
    set('KUMA_DNS_ENABLED', 'false');
  }

  const logLevel = pod.string(annotation.envoyLogLevel);
  if (logLevel !== undefined) set('KUMA_DATAPLANE_RUNTIME_ENVOY_LOG_LEVEL', logLevel);
  const componentLogLevel = pod.string(annotation.envoyComponentLogLevel);
  if (componentLogLevel !== undefined) set('KUMA_DATAPLANE_RUNTIME_ENVOY_COMPONENT_LOG_LEVEL', componentLogLevel);

  if (config.unifiedResourceNamingEnabled) set('KUMA_DATAPLANE_RUNTIME_UNIFIED_RESOURCE_NAMING_ENABLED', 'true');
  if (config.otelPipeEnabled) {
    env.set('HOST_IP', fieldRef('HOST_IP', 'status.hostIP'));
  } else {
    set('KUMA_DATAPLANE_RUNTIME_OTEL_PIPE_ENABLED', 'false');
  }

  // Validated for its errors only: the same checks guard the annotations written later.
  virtualProbesAnnotation(pod, Boolean(config.virtualProbesEnabled));
  set('KUMA_APPLICATION_PROBE_PROXY_PORT', String(applicationProbeProxyPort(pod, config.applicationProbeProxyPort ?? 0)));

  for (const [name, value] of Object.entries(config.sidecarContainer?.envVars ?? {})) set(name, value);
  for (const [name, value] of Object.entries(pod.map(annotation.sidecarEnvVars))) set(name, value);

  return [...env.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function drainTimeNanos(pod: AnnotationReader, configured: string | undefined): number {
  const fromPod = pod.string(annotation.sidecarDrainTime);
  if (fromPod !== undefined) return goDurationNanos(fromPod);
  return configured ? goDurationNanos(configured) : 0;
}

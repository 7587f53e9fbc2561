/** The injector settings kuma-cp ships with (its `runtime.kubernetes.injector` defaults), with Ferry's images. */
import type { InjectorConfig } from './config.js';

export function defaultInjectorConfig(images: { sidecar: string; init: string }): InjectorConfig {
  const smallResources = { requests: { cpu: '20m', memory: '20M' }, limits: { cpu: '0', memory: '50M' } };
  return {
    cniEnabled: false,
    exceptions: { labels: { 'openshift.io/build.name': '*', 'openshift.io/deployer-pod-for.name': '*' } },
    virtualProbesEnabled: false,
    virtualProbesPort: 9000,
    applicationProbeProxyPort: 9001,
    sidecarContainer: {
      image: images.sidecar,
      ipFamilyMode: 'dualstack',
      redirectPortInbound: 15006,
      redirectPortOutbound: 15001,
      uid: 5678,
      gid: 5678,
      drainTime: '30s',
      readinessProbe: { initialDelaySeconds: 1, timeoutSeconds: 3, periodSeconds: 5, successThreshold: 1, failureThreshold: 12 },
      livenessProbe: { initialDelaySeconds: 60, timeoutSeconds: 3, periodSeconds: 5, failureThreshold: 12 },
      startupProbe: { initialDelaySeconds: 1, timeoutSeconds: 3, periodSeconds: 5, failureThreshold: 12 },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '0', memory: '512Mi' } },
      envVars: {},
      waitForDataplaneReady: false,
    },
    initContainer: { image: images.init, resources: smallResources },
    validationContainer: { resources: smallResources },
    containerPatches: [],
    sidecarTraffic: { excludeInboundPorts: [], excludeOutboundPorts: [], excludeInboundIPs: [], excludeOutboundIPs: [] },
    builtinDNS: { enabled: true, port: 15053 },
    ebpf: { enabled: false },
    spire: { enabled: false },
  };
}

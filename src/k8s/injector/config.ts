// Injector settings in the shape of Kuma's `runtime.kubernetes.injector` config (camelCase YAML keys).
// Fields left out are zero, exactly as when Kuma loads such a file onto an empty struct.

export interface ProbeSettings {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface ResourceSettings {
  requests?: { cpu?: string | number; memory?: string | number };
  limits?: { cpu?: string | number; memory?: string | number };
}

export interface InjectorConfig {
  cniEnabled?: boolean;
  transparentProxyConfigMapName?: string;
  virtualProbesEnabled?: boolean;
  virtualProbesPort?: number;
  applicationProbeProxyPort?: number;
  sidecarContainer?: {
    image?: string;
    ipFamilyMode?: string;
    redirectPortOutbound?: number;
    redirectPortInbound?: number;
    uid?: number;
    gid?: number;
    drainTime?: string;
    envVars?: Record<string, string>;
    waitForDataplaneReady?: boolean;
    readinessProbe?: ProbeSettings;
    livenessProbe?: ProbeSettings;
    startupProbe?: ProbeSettings;
    resources?: ResourceSettings;
  };
  initContainer?: { image?: string; resources?: ResourceSettings };
  validationContainer?: { resources?: ResourceSettings };
  sidecarTraffic?: {
    excludeInboundPorts?: number[];
    excludeOutboundPorts?: number[];
    excludeInboundIPs?: string[];
    excludeOutboundIPs?: string[];
  };
  builtinDNS?: { enabled?: boolean; port?: number; logging?: boolean; experimentalProxy?: boolean };
  ebpf?: { enabled?: boolean };
  spire?: { enabled?: boolean };
  containerPatches?: string[];
  [key: string]: unknown;
}

// Program names baked into the injected containers; ours may differ from Kuma's.
export interface InjectedBinaries {
  kumactl: string;
  dataplaneProcess: string;
}

export const kumaBinaries: InjectedBinaries = {
  kumactl: '/usr/bin/kumactl',
  dataplaneProcess: 'kuma-dp',
};

export interface InjectOptions {
  config: InjectorConfig;
  mesh: string;
  // Labels of the pod's namespace; whether to inject at all is decided before injectPod.
  namespaceLabels?: Record<string, string>;
  controlPlaneUrl: string;
  caCert: string;
  adminPort: number;
  readinessPort: number;
  sidecarFeature: boolean;
  binaries?: InjectedBinaries;
}

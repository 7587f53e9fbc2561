import { annotation } from './annotation-names.js';
import { AnnotationReader } from './annotation-reader.js';
import type { InjectedBinaries, InjectorConfig } from './config.js';
import { helperContainerResources } from './resources.js';
import { transparentProxyDefaults } from './transparent-proxy-defaults.js';
import type { Container } from './types.js';
import { sidecarTmpMount } from './volumes.js';

export const validationContainerName = 'kuma-validation';

// With CNI the rules are installed by the node plugin; this container only checks that inbound redirect works.
export function validationContainer(
  annotations: Record<string, string>,
  config: InjectorConfig,
  binaries: InjectedBinaries,
): Container {
  const pod = new AnnotationReader(annotations);
  const ipFamilyMode = pod.string(annotation.ipFamilyMode) || 'dualstack';
  let port: number = transparentProxyDefaults.redirectPortInbound;
  try {
    const fromPod = pod.uint32(annotation.inboundPort);
    if (fromPod.exists) port = fromPod.value;
  } catch {
    // An unparsable port falls back to the default, as in Kuma.
  }
  return {
    name: validationContainerName,
    image: config.initContainer?.image ?? '',
    imagePullPolicy: 'IfNotPresent',
    command: [binaries.kumactl, 'install', 'transparent-proxy-validator'],
    args: ['--config-file=/tmp/.kumactl', `--ip-family-mode=${ipFamilyMode}`, `--validation-server-port=${port}`],
    securityContext: {
      runAsUser: config.sidecarContainer?.uid ?? 0,
      runAsGroup: config.sidecarContainer?.gid ?? 0,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    },
    resources: helperContainerResources(config.validationContainer?.resources),
    volumeMounts: [sidecarTmpMount()],
  };
}

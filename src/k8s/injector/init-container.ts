import type { InjectedBinaries, InjectorConfig } from './config.js';
import { helperContainerResources } from './resources.js';
import type { Container } from './types.js';
import { initTmpMount } from './volumes.js';

export const initContainerName = 'kuma-init';

// Installs the iptables rules; needs root with NET_ADMIN/NET_RAW for that alone.
export function initContainer(args: string[], config: InjectorConfig, binaries: InjectedBinaries): Container {
  return {
    name: initContainerName,
    image: config.initContainer?.image ?? '',
    imagePullPolicy: 'IfNotPresent',
    command: [binaries.kumactl, 'install', 'transparent-proxy'],
    args,
    env: [{ name: 'XTABLES_LOCKFILE', value: '/tmp/xtables.lock' }],
    securityContext: {
      runAsUser: 0,
      runAsGroup: 0,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    },
    resources: helperContainerResources(config.initContainer?.resources),
    volumeMounts: [initTmpMount()],
  };
}

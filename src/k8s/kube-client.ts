/** Builds the KubeConfig the control plane's Kubernetes controllers talk through. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConnectionOptions {
  /** API server URL; when set, no kubeconfig file or in-cluster account is consulted. */
  server?: string;
  token?: string;
  skipTLSVerify?: boolean;
}

/**
 * Without any of these client-node falls back to http://localhost:8080 and the control plane would
 * retry forever against nothing; saying so at start is kinder.
 */
function kubernetesConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.KUBECONFIG) || existsSync(join(homedir(), '.kube', 'config')) || Boolean(env.KUBERNETES_SERVICE_HOST);
}

export function createKubeConfig(options: KubeConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (!options.server) {
    if (!kubernetesConfigured(env)) {
      throw new Error('no Kubernetes API server configured: set KUBECONFIG, provide ~/.kube/config, or run ferry-cp in a pod (in-cluster service account)');
    }
    // KUBECONFIG, ~/.kube/config, or the pod's service account, in that order.
    kc.loadFromDefault();
    return kc;
  }
  // client-node refuses plain http unless TLS verification is switched off; there is no TLS to verify.
  const plainHttp = options.server.startsWith('http:');
  kc.loadFromOptions({
    clusters: [{ name: 'target', server: options.server, skipTLSVerify: options.skipTLSVerify ?? plainHttp }],
    users: [{ name: 'user', ...(options.token ? { token: options.token } : {}) }],
    contexts: [{ name: 'target', cluster: 'target', user: 'user' }],
    currentContext: 'target',
  });
  return kc;
}

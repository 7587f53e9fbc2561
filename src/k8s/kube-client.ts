/** Builds the KubeConfig the control plane's Kubernetes controllers talk through. */
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConnectionOptions {
  /** API server URL; when set, no kubeconfig file or in-cluster account is consulted. */
  server?: string;
  token?: string;
  skipTLSVerify?: boolean;
}

export function createKubeConfig(options: KubeConnectionOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (!options.server) {
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

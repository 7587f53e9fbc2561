/** Names, labels and ports the install manifests share, so every object points at the same things. */
import { FERRY_VERSION } from '../../version.js';

export const DEFAULT_NAMESPACE = 'kuma-system';
export const DEFAULT_IMAGE = `ferry/ferry-cp:${FERRY_VERSION}`;

export const CONTROL_PLANE_NAME = 'ferry-control-plane';
export const SERVICE_NAME = CONTROL_PLANE_NAME;
export const SERVICE_ACCOUNT_NAME = CONTROL_PLANE_NAME;
export const TLS_SECRET_NAME = 'ferry-tls-cert';
export const TLS_CERT_DIR = '/var/run/secrets/ferry.io/tls-cert';

export const SIDECAR_INJECTION_LABEL = 'kuma.io/sidecar-injection';

export const PORTS = {
  api: 5681,
  dpServer: 5678,
  webhook: 5443,
  diagnostics: 5680,
} as const;

/** Selects the control-plane pods; also on every object so they can be found and removed together. */
export const SELECTOR_LABELS = { app: CONTROL_PLANE_NAME } as const;

export function commonLabels(): Record<string, string> {
  return { ...SELECTOR_LABELS, 'app.kubernetes.io/name': 'ferry', 'app.kubernetes.io/component': 'control-plane' };
}

/** DNS names the webhook and DP server certificate must cover. */
export function serviceDnsNames(namespace: string): string[] {
  return [SERVICE_NAME, `${SERVICE_NAME}.${namespace}`, `${SERVICE_NAME}.${namespace}.svc`, `${SERVICE_NAME}.${namespace}.svc.cluster.local`];
}

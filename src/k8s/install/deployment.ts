/** The control-plane Deployment: `ferry-cp run` in Kubernetes mode, with its serving certificate mounted. */
import { envName } from '../../config/config.js';
import { CONTROL_PLANE_NAME, PORTS, SELECTOR_LABELS, SERVICE_ACCOUNT_NAME, TLS_CERT_DIR, TLS_SECRET_NAME, commonLabels } from './names.js';

function env(namespace: string): { name: string; value: string }[] {
  return [
    { name: envName('environment'), value: 'kubernetes' },
    { name: envName('store.type'), value: 'kubernetes' },
    { name: envName('store.kubernetes.systemNamespace'), value: namespace },
    { name: envName('runtime.kubernetes.admissionServer.port'), value: String(PORTS.webhook) },
    { name: envName('runtime.kubernetes.admissionServer.certDir'), value: TLS_CERT_DIR },
    // the same certificate serves data plane proxies, which reach the control plane by its Service name
    { name: envName('dpServer.tlsCertFile'), value: `${TLS_CERT_DIR}/tls.crt` },
    { name: envName('dpServer.tlsKeyFile'), value: `${TLS_CERT_DIR}/tls.key` },
    // injected sidecars trust the CA that signed it, not the serving certificate itself
    { name: envName('runtime.kubernetes.injector.caCertFile'), value: `${TLS_CERT_DIR}/ca.crt` },
  ];
}

function probe(path: string, periodSeconds: number) {
  return { httpGet: { path, port: PORTS.diagnostics }, initialDelaySeconds: 1, periodSeconds, timeoutSeconds: 5, failureThreshold: 3 };
}

export function controlPlaneDeployment(namespace: string, image: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: CONTROL_PLANE_NAME, namespace, labels: commonLabels() },
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...SELECTOR_LABELS } },
      template: {
        metadata: { labels: commonLabels() },
        spec: {
          serviceAccountName: SERVICE_ACCOUNT_NAME,
          containers: [
            {
              name: 'control-plane',
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['ferry-cp'],
              args: ['run'],
              env: env(namespace),
              ports: [
                { name: 'http-api', containerPort: PORTS.api },
                { name: 'dp-server', containerPort: PORTS.dpServer },
                { name: 'webhook', containerPort: PORTS.webhook },
                { name: 'diagnostics', containerPort: PORTS.diagnostics },
              ],
              readinessProbe: probe('/ready', 5),
              livenessProbe: probe('/healthy', 10),
              securityContext: { allowPrivilegeEscalation: false },
              volumeMounts: [{ name: 'tls-cert', mountPath: TLS_CERT_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: 'tls-cert', secret: { secretName: TLS_SECRET_NAME } }],
        },
      },
    },
  };
}

/** The ClusterIP Service data plane proxies, ferryctl and the apiserver's webhooks reach the control plane through. */
import { PORTS, SELECTOR_LABELS, SERVICE_NAME, commonLabels } from './names.js';

export function controlPlaneService(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SERVICE_NAME, namespace, labels: commonLabels() },
    spec: {
      type: 'ClusterIP',
      selector: { ...SELECTOR_LABELS },
      ports: [
        { name: 'http-api-server', port: PORTS.api, targetPort: PORTS.api, protocol: 'TCP', appProtocol: 'http' },
        { name: 'dp-server', port: PORTS.dpServer, targetPort: PORTS.dpServer, protocol: 'TCP' },
        // the apiserver calls webhooks on 443 unless told otherwise
        { name: 'https-admission-server', port: 443, targetPort: PORTS.webhook, protocol: 'TCP' },
      ],
    },
  };
}

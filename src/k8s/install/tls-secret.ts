/** The Secret holding the control plane's serving certificate and the CA that signed it. */
import type { WebhookCerts } from './webhook-cert.js';
import { TLS_SECRET_NAME, commonLabels } from './names.js';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function tlsSecret(namespace: string, certs: WebhookCerts): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: TLS_SECRET_NAME, namespace, labels: commonLabels() },
    data: { 'tls.crt': base64(certs.certPem), 'tls.key': base64(certs.keyPem), 'ca.crt': base64(certs.caCertPem) },
  };
}

export function caBundle(certs: WebhookCerts): string {
  return base64(certs.caCertPem);
}

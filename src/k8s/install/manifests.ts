/**
 * Everything `ferryctl install control-plane` prints, in an order `kubectl apply` can follow:
 * namespace and CRDs first, the webhooks last so they only start intercepting once their
 * backend is declared.
 */
import { createRegistry } from '../../resources/index.js';
import { customResourceDefinitions } from './crds.js';
import { controlPlaneDeployment } from './deployment.js';
import { DEFAULT_IMAGE, DEFAULT_NAMESPACE, serviceDnsNames } from './names.js';
import { systemNamespace } from './namespace.js';
import { clusterRole, clusterRoleBinding, namespacedRole, namespacedRoleBinding, serviceAccount } from './rbac.js';
import { controlPlaneService } from './service.js';
import { caBundle, tlsSecret } from './tls-secret.js';
import { generateWebhookCerts } from './webhook-cert.js';
import { mutatingWebhookConfiguration, validatingWebhookConfiguration } from './webhooks.js';

export interface InstallOptions {
  namespace?: string;
  image?: string;
}

export type Manifest = Record<string, unknown>;

export async function controlPlaneManifests(opts: InstallOptions = {}): Promise<Manifest[]> {
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const image = opts.image ?? DEFAULT_IMAGE;
  const certs = await generateWebhookCerts(serviceDnsNames(namespace));
  const webhookTarget = { namespace, caBundle: caBundle(certs) };
  return [
    systemNamespace(namespace),
    ...customResourceDefinitions(createRegistry()),
    serviceAccount(namespace),
    clusterRole(),
    clusterRoleBinding(namespace),
    namespacedRole(namespace),
    namespacedRoleBinding(namespace),
    tlsSecret(namespace, certs),
    controlPlaneService(namespace),
    controlPlaneDeployment(namespace, image),
    mutatingWebhookConfiguration(webhookTarget),
    validatingWebhookConfiguration(webhookTarget),
  ];
}

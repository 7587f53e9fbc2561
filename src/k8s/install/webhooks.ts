/**
 * Admission webhooks, selected as Kuma's chart selects them: sidecar injection for pods in
 * labelled namespaces (or opted-in pods), and defaulting and validation of the `kuma.io` resources.
 */
import { KUMA_GROUP, KUMA_VERSION, customResourceKinds } from '../kinds.js';
import { SERVICE_NAME, SIDECAR_INJECTION_LABEL, commonLabels } from './names.js';

export const INJECT_PATH = '/inject-sidecar';
export const VALIDATE_PATH = '/validate-kuma-io-v1alpha1';
export const VALIDATE_SECRET_PATH = '/validate-v1-secret';
export const VALIDATE_POD_PATH = '/validate-v1-pod';
export const DEFAULT_PATH = '/default-kuma-io-v1alpha1-mesh';
export const OWNER_REFERENCE_PATH = '/owner-reference-kuma-io-v1alpha1';
export const MUTATING_WEBHOOK_CONFIGURATION_NAME = 'ferry-admission-mutating-webhook-configuration';
export const VALIDATING_WEBHOOK_CONFIGURATION_NAME = 'ferry-validating-webhook-configuration';

interface WebhookTarget {
  namespace: string;
  caBundle: string;
}

function clientConfig(target: WebhookTarget, path: string) {
  return { caBundle: target.caBundle, service: { namespace: target.namespace, name: SERVICE_NAME, path } };
}

const podCreation = [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }];

function namespaceNameNotIn(...names: string[]) {
  return { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: names };
}

/** `caBundle` is the base64 PEM of the CA that signed the control plane's serving certificate. */
export function mutatingWebhookConfiguration(target: WebhookTarget): Record<string, unknown> {
  const common = { admissionReviewVersions: ['v1'], failurePolicy: 'Fail', sideEffects: 'None', rules: podCreation, clientConfig: clientConfig(target, INJECT_PATH) };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: MUTATING_WEBHOOK_CONFIGURATION_NAME, labels: commonLabels() },
    webhooks: [
      {
        // every pod of a namespace that enabled injection
        name: 'namespace-kuma-injector.kuma.io',
        ...common,
        namespaceSelector: {
          matchExpressions: [
            { key: SIDECAR_INJECTION_LABEL, operator: 'In', values: ['enabled', 'true'] },
            namespaceNameNotIn('kube-system', target.namespace),
          ],
        },
      },
      {
        // pods that opt in themselves, in namespaces carrying the label with any value
        name: 'pods-kuma-injector.kuma.io',
        ...common,
        namespaceSelector: {
          matchExpressions: [{ key: SIDECAR_INJECTION_LABEL, operator: 'Exists' }, namespaceNameNotIn('kube-system', target.namespace)],
        },
        objectSelector: { matchLabels: { [SIDECAR_INJECTION_LABEL]: 'enabled' } },
      },
      {
        // kuma.io objects applied with kubectl get the defaults and computed labels the control plane would store
        name: 'mesh.defaulter.kuma-admission.kuma.io',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        sideEffects: 'None',
        namespaceSelector: { matchExpressions: [{ key: SIDECAR_INJECTION_LABEL, operator: 'Exists' }, namespaceNameNotIn('kube-system')] },
        clientConfig: clientConfig(target, DEFAULT_PATH),
        rules: [{ apiGroups: [KUMA_GROUP], apiVersions: [KUMA_VERSION], operations: ['CREATE', 'UPDATE'], resources: customResourceKinds().map((k) => k.plural) }],
      },
      {
        // policies created with kubectl become dependents of their Mesh, so they go with it
        name: 'owner-reference.kuma-admission.kuma.io',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        sideEffects: 'None',
        namespaceSelector: { matchExpressions: [{ key: SIDECAR_INJECTION_LABEL, operator: 'Exists' }, namespaceNameNotIn('kube-system')] },
        clientConfig: clientConfig(target, OWNER_REFERENCE_PATH),
        rules: [{ apiGroups: [KUMA_GROUP], apiVersions: [KUMA_VERSION], operations: ['CREATE'], resources: customResourceKinds().filter((k) => k.meshIn === 'label').map((k) => k.plural) }],
      },
    ],
  };
}

export function validatingWebhookConfiguration(target: WebhookTarget): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: VALIDATING_WEBHOOK_CONFIGURATION_NAME, labels: commonLabels() },
    webhooks: [
      {
        name: 'validator.kuma-admission.kuma.io',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        sideEffects: 'None',
        // cluster-scoped kinds (Mesh) are always sent; namespaced ones only from mesh namespaces
        namespaceSelector: { matchExpressions: [{ key: SIDECAR_INJECTION_LABEL, operator: 'Exists' }, namespaceNameNotIn('kube-system')] },
        clientConfig: clientConfig(target, VALIDATE_PATH),
        rules: [
          {
            apiGroups: [KUMA_GROUP],
            apiVersions: [KUMA_VERSION],
            operations: ['CREATE', 'UPDATE', 'DELETE'],
            // insights are written by the control plane only, so Kuma does not validate them
            resources: customResourceKinds().filter((k) => k.body === 'spec').map((k) => k.plural),
          },
        ],
      },
      {
        // Kuma Secrets live in the control plane's namespace only
        name: 'secret.validator.kuma-admission.kuma.io',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [target.namespace] }] },
        clientConfig: clientConfig(target, VALIDATE_SECRET_PATH),
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['secrets'] }],
      },
      {
        // kuma.io/workload is the control plane's label to set
        name: 'pod.validator.kuma-admission.kuma.io',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        sideEffects: 'None',
        namespaceSelector: { matchExpressions: [{ key: SIDECAR_INJECTION_LABEL, operator: 'Exists' }, namespaceNameNotIn('kube-system')] },
        clientConfig: clientConfig(target, VALIDATE_POD_PATH),
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }],
      },
    ],
  };
}

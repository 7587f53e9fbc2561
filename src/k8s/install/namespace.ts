/** The control plane's own namespace. */
import { SIDECAR_INJECTION_LABEL } from './names.js';

export function systemNamespace(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    // labelled but disabled: never injected, yet still matched by the validating webhook's selector
    metadata: { name: namespace, labels: { [SIDECAR_INJECTION_LABEL]: 'false' } },
  };
}

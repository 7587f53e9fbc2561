/** Kuma's write-time check of `provided` CA backends: their cert and key must load and form a CA key pair. */
import type { Spec } from '../core/resource.js';
import type { Violation } from '../core/validation.js';
import type { ResourceStore } from '../store/store.js';
import { validateProvidedCaData } from './provided-ca.js';
import type { ProvidedCaConf } from './provided-ca.js';

interface Backend {
  name?: string;
  type?: string;
  conf?: unknown;
}

export async function validateProvidedBackends(store: ResourceStore, mesh: string, spec: Spec): Promise<Violation[]> {
  const backends = ((spec.mtls as { backends?: Backend[] } | undefined)?.backends ?? []) as Backend[];
  const out: Violation[] = [];
  for (const [i, backend] of backends.entries()) {
    if (backend?.type !== 'provided') continue;
    for (const v of await validateProvidedCaData(store, mesh, backend.conf as ProvidedCaConf | undefined)) {
      out.push({ field: `mtls.backends[${i}].conf${v.field ? `.${v.field}` : ''}`, message: v.message });
    }
  }
  return out;
}

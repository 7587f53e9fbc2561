/**
 * Secrets a Mesh's CA backends depend on (Kuma's `UsedSecrets`): the builtin CA's generated cert and
 * key, a provided CA's `secret` data sources. Deleting one of them is refused with Kuma's message.
 */
import type { Resource, ResourceKey } from '../core/resource.js';
import type { ResourceStore } from '../store/store.js';
import type { Violation } from '../core/validation.js';
import { caCertSecretName, caKeySecretName } from './secret-names.js';

interface Backend {
  name?: string;
  type?: string;
  conf?: { cert?: { secret?: string }; key?: { secret?: string } };
}

function secretsOf(mesh: string, backend: Backend): string[] {
  const name = backend.name ?? '';
  if (backend.type === 'builtin') return [caCertSecretName(mesh, name), caKeySecretName(mesh, name)];
  if (backend.type === 'provided') return [backend.conf?.cert?.secret, backend.conf?.key?.secret].filter((s): s is string => !!s);
  return [];
}

/** Why `secret` may not be deleted while `mesh` (undefined when gone) exists; empty when it may. */
export function secretDeletionViolations(secret: string, mesh: Resource | undefined): Violation[] {
  if (!mesh) return [];
  const backends = ((mesh.spec.mtls as { backends?: Backend[] } | undefined)?.backends ?? []) as Backend[];
  return backends
    .filter((backend) => secretsOf(mesh.meta.name, backend).includes(secret))
    .map((backend) => ({
      field: 'name',
      message: `The secret "${secret}" that you are trying to remove is currently in use in Mesh "${mesh.meta.name}" in mTLS backend "${backend.name}". Please remove the reference from the "${backend.name}" backend before removing the secret.`,
    }));
}

/** For the resource manager: refuses deleting a Secret its Mesh's CA backends use. */
export async function secretDeletionCheck(store: ResourceStore, type: string, key: ResourceKey): Promise<Violation[]> {
  if (type !== 'Secret') return [];
  return secretDeletionViolations(key.name, await store.get('Mesh', { mesh: '', name: key.mesh }));
}

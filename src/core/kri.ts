/** Kuma Resource Identifier: `kri_<short>_<mesh>_<zone>_<namespace>_<name>_<section>`; empty slots are kept. */
import type { KindDescriptor } from './registry.js';
import type { ResourceMeta } from './resource.js';

export function kriOf(kind: KindDescriptor, meta: ResourceMeta): string | undefined {
  if (!kind.shortName) return undefined;
  const name = meta.labels['kuma.io/display-name'] || meta.name;
  const zone = meta.labels['kuma.io/zone'] ?? '';
  const namespace = meta.labels['k8s.kuma.io/namespace'] ?? '';
  return ['kri', kind.shortName, meta.mesh, zone, namespace, name, ''].join('_');
}

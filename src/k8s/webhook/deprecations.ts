/** Warnings Kuma attaches to an accepted object of kinds that have deprecated fields. */
import type { Spec } from '../../core/resource.js';
import { meshTrafficPermissionDeprecations } from '../../resources/mesh-traffic-permission.js';

const BY_KIND: Record<string, (spec: Spec) => string[]> = {
  MeshTrafficPermission: meshTrafficPermissionDeprecations,
};

export function deprecationsOf(kind: string, spec: Spec): string[] {
  return BY_KIND[kind]?.(spec) ?? [];
}

/**
 * The policies a new mesh starts with. Kuma v2.14.3 (`pkg/defaults/mesh`)
 * creates default MeshTimeouts, a MeshCircuitBreaker and a MeshRetry, and a
 * legacy TrafficPermission `allow-all-<mesh>` only when routing defaults are
 * enabled; it creates no MeshTrafficPermission, so turning mTLS on denies all
 * traffic. Ferry starts a new mesh open instead: `allow-all-<mesh>` is a
 * MeshTrafficPermission (whole mesh, from the whole mesh, Allow). Other defaults
 * come with their kinds.
 *
 * `skipCreatingInitialPolicies` works as in Kuma: `*` skips every default
 * policy, a type name skips the policies of that type.
 */
import type { Labels, Spec } from './resource.js';

export interface DefaultResource {
  type: string;
  name: string;
  spec: Spec;
  labels: Labels;
}

const SKIP_ALL = '*';

/** Name prefix and builder of each default policy; the name is `<prefix>-<mesh>`. */
const DEFAULT_POLICIES: readonly { prefix: string; type: string; spec: () => Spec }[] = [
  {
    prefix: 'allow-all',
    type: 'MeshTrafficPermission',
    spec: () => ({
      targetRef: { kind: 'Mesh' },
      from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }],
    }),
  },
];

export function defaultResourcesFor(mesh: string, meshSpec: Spec): DefaultResource[] {
  const skipped = Array.isArray(meshSpec.skipCreatingInitialPolicies) ? (meshSpec.skipCreatingInitialPolicies as unknown[]) : [];
  if (skipped.includes(SKIP_ALL)) return [];
  return DEFAULT_POLICIES.filter((p) => !skipped.includes(p.type)).map((p) => ({
    type: p.type,
    name: `${p.prefix}-${mesh}`,
    spec: p.spec(),
    // Only the labels the manager computes on every write, as for Kuma's defaults.
    labels: {},
  }));
}

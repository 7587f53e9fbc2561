/**
 * How each Ferry kind lives in Kubernetes, as Kuma v2.14.3 stores it: most kinds are
 * `kuma.io/v1alpha1` custom resources; Secrets and GlobalSecrets are native Secrets of Kuma's
 * types, and the internal Config kind is a ConfigMap, both in the control plane's namespace.
 * The store, the pod controller and the install manifests all read this one table.
 */
export const KUMA_GROUP = 'kuma.io';
export const KUMA_VERSION = 'v1alpha1';
export const KUMA_API_VERSION = `${KUMA_GROUP}/${KUMA_VERSION}`;

/** Label holding the mesh of policies and Secrets (and set on every mesh-scoped object). */
export const MESH_LABEL = 'kuma.io/mesh';
export const SECRET_TYPE = 'system.kuma.io/secret';
export const GLOBAL_SECRET_TYPE = 'system.kuma.io/global-secret';

export interface CustomResourceKind {
  storage: 'crd';
  /** Ferry / Kuma type name, also the Kubernetes kind. */
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  /**
   * Where the resource body sits: `spec` (Mesh, Dataplane, policies) or `status` (insights).
   * Legacy kinds carry the mesh in a top-level `mesh:` field, policies in the `kuma.io/mesh` label.
   */
  body: 'spec' | 'status';
  meshIn: 'field' | 'label' | 'none';
}

export interface NativeKind {
  storage: 'secret' | 'configmap';
  kind: string;
  /** Kubernetes Secret `type` for secret-backed kinds. */
  secretType?: string;
}

export type KubernetesKind = CustomResourceKind | NativeKind;

function crd(kind: string, plural: string, namespaced: boolean, rest: Partial<CustomResourceKind> = {}): CustomResourceKind {
  return {
    storage: 'crd',
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    namespaced,
    body: 'spec',
    meshIn: 'field',
    ...rest,
  };
}

const KINDS: KubernetesKind[] = [
  crd('Mesh', 'meshes', false, { shortNames: ['m'], meshIn: 'none' }),
  crd('Dataplane', 'dataplanes', true, { shortNames: ['dp'] }),
  crd('DataplaneInsight', 'dataplaneinsights', true, { body: 'status' }),
  crd('ServiceInsight', 'serviceinsights', false),
  crd('MeshTrafficPermission', 'meshtrafficpermissions', true, { shortNames: ['mtp'], meshIn: 'label' }),
  { storage: 'secret', kind: 'Secret', secretType: SECRET_TYPE },
  { storage: 'secret', kind: 'GlobalSecret', secretType: GLOBAL_SECRET_TYPE },
  { storage: 'configmap', kind: 'Config' },
];

const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));

export function kubernetesKind(type: string): KubernetesKind {
  const found = BY_KIND.get(type);
  if (!found) throw new Error(`resource type ${type} has no Kubernetes representation`);
  return found;
}

export function customResourceKinds(): CustomResourceKind[] {
  return KINDS.filter((k): k is CustomResourceKind => k.storage === 'crd');
}

export function allKubernetesKinds(): readonly KubernetesKind[] {
  return KINDS;
}

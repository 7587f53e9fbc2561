/** The envelope every stored resource shares, independent of its kind. */

export type Labels = Record<string, string>;
export type Spec = Record<string, unknown>;

export interface ResourceKey {
  /** Empty for globally scoped kinds. */
  mesh: string;
  name: string;
}

export interface ResourceMeta extends ResourceKey {
  /** Opaque token, changes on every write; used for optimistic concurrency. */
  version: string;
  creationTime: Date;
  modificationTime: Date;
  labels: Labels;
}

export interface Resource<S extends Spec = Spec> {
  type: string;
  meta: ResourceMeta;
  spec: S;
}

export function keyString(type: string, key: ResourceKey): string {
  return `${type}/${key.mesh}/${key.name}`;
}

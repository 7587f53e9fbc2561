/** The storage contract every backend implements (see test/store/contract.ts). */
import type { Labels, Resource, ResourceKey, Spec } from '../core/resource.js';

export class NotFoundError extends Error {
  constructor(readonly type: string, readonly key: ResourceKey) {
    super(`${type} "${key.name}"${key.mesh ? ` in mesh "${key.mesh}"` : ''} not found`);
    this.name = 'NotFoundError';
  }
}

export class AlreadyExistsError extends Error {
  constructor(readonly type: string, readonly key: ResourceKey) {
    super(`resource already exists: type="${type}" name="${key.name}" mesh="${key.mesh}"`);
    this.name = 'AlreadyExistsError';
  }
}

/** The caller's version is stale: someone else wrote in between. */
export class ConflictError extends Error {
  constructor(readonly type: string, readonly key: ResourceKey) {
    super(`resource conflict: type="${type}" name="${key.name}" mesh="${key.mesh}": the resource was modified concurrently`);
    this.name = 'ConflictError';
  }
}

export interface CreateRequest extends ResourceKey {
  labels?: Labels;
  spec: Spec;
  /** Defaults to now; lets imports and tests keep original timestamps. */
  creationTime?: Date;
}

export interface UpdateRequest extends ResourceKey {
  /** The version the caller read; a mismatch is a ConflictError. */
  version: string;
  labels?: Labels;
  spec: Spec;
  modificationTime?: Date;
}

export interface ListRequest {
  /** Only this mesh; undefined lists every mesh (and is the only choice for global kinds). */
  mesh?: string;
  /** Substring of the name. */
  nameContains?: string;
  /** Exact label matches. */
  labels?: Labels;
  /** Applied before paging, so `total` counts what it keeps. */
  predicate?: (r: Resource) => boolean;
  /** Page size; undefined returns everything from offset. */
  size?: number;
  /** Number of items to skip. */
  offset?: number;
}

export interface ListResult {
  items: Resource[];
  total: number;
  /** Offset of the next page, when there is one. */
  nextOffset?: number;
}

export type ChangeOp = 'create' | 'update' | 'delete';

export interface ChangeEvent {
  op: ChangeOp;
  type: string;
  mesh: string;
  name: string;
}

export type ChangeListener = (event: ChangeEvent) => void;

export interface ResourceStore {
  get(type: string, key: ResourceKey): Promise<Resource | undefined>;
  /** Items sorted by name, then mesh. */
  list(type: string, req?: ListRequest): Promise<ListResult>;
  create(type: string, req: CreateRequest): Promise<Resource>;
  update(type: string, req: UpdateRequest): Promise<Resource>;
  /**
   * Deletes one resource (a ConflictError if `version` is given and stale).
   * Deleting a Mesh also deletes every mesh-scoped resource in it, atomically.
   */
  delete(type: string, key: ResourceKey, version?: string): Promise<void>;
  /** Change feed; includes writes made by other control-plane instances sharing the backend. */
  watch(listener: ChangeListener): () => void;
  close(): Promise<void>;
}

/** Types whose deletion removes everything in the mesh named like it. */
export const MESH_TYPE = 'Mesh';

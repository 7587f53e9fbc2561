/** In-process store: the embedded default. Values are deep-copied in and out so callers never share state. */
import { EventEmitter } from 'node:events';
import type { Resource, ResourceKey } from '../core/resource.js';
import { keyString } from '../core/resource.js';
import {
  AlreadyExistsError,
  ConflictError,
  MESH_TYPE,
  type ChangeEvent,
  type ChangeListener,
  type CreateRequest,
  type ListRequest,
  type ListResult,
  type ResourceStore,
  type UpdateRequest,
} from './store.js';
import { compareResources, matchesList, pageOf } from './listing.js';

function clone(r: Resource): Resource {
  return {
    type: r.type,
    meta: {
      ...r.meta,
      labels: { ...r.meta.labels },
      creationTime: new Date(r.meta.creationTime),
      modificationTime: new Date(r.meta.modificationTime),
    },
    spec: structuredClone(r.spec),
  };
}

export class MemoryStore implements ResourceStore {
  private readonly items = new Map<string, Resource>();
  private readonly events = new EventEmitter();
  private nextVersion = 1;

  constructor() {
    this.events.setMaxListeners(0);
  }

  async get(type: string, key: ResourceKey): Promise<Resource | undefined> {
    const r = this.items.get(keyString(type, key));
    return r ? clone(r) : undefined;
  }

  async list(type: string, req: ListRequest = {}): Promise<ListResult> {
    const matched: Resource[] = [];
    for (const r of this.items.values()) {
      if (r.type === type && matchesList(r, req)) matched.push(r);
    }
    matched.sort(compareResources);
    // predicates only read; clone just the page that leaves the store
    const kept = req.predicate ? matched.filter((r) => req.predicate!(r)) : matched;
    const page = pageOf(kept, req);
    return { ...page, items: page.items.map(clone) };
  }

  async create(type: string, req: CreateRequest): Promise<Resource> {
    const k = keyString(type, req);
    if (this.items.has(k)) throw new AlreadyExistsError(type, req);
    const now = req.creationTime ?? new Date();
    const r: Resource = {
      type,
      meta: {
        mesh: req.mesh,
        name: req.name,
        version: String(this.nextVersion++),
        creationTime: now,
        modificationTime: now,
        labels: { ...(req.labels ?? {}) },
      },
      spec: structuredClone(req.spec),
    };
    this.items.set(k, r);
    this.emit({ op: 'create', type, mesh: req.mesh, name: req.name });
    return clone(r);
  }

  async update(type: string, req: UpdateRequest): Promise<Resource> {
    const k = keyString(type, req);
    const current = this.items.get(k);
    if (!current || current.meta.version !== req.version) throw new ConflictError(type, req);
    const r: Resource = {
      type,
      meta: {
        ...current.meta,
        version: String(this.nextVersion++),
        modificationTime: req.modificationTime ?? new Date(),
        labels: { ...(req.labels ?? current.meta.labels) },
      },
      spec: structuredClone(req.spec),
    };
    this.items.set(k, r);
    this.emit({ op: 'update', type, mesh: req.mesh, name: req.name });
    return clone(r);
  }

  async delete(type: string, key: ResourceKey, version?: string): Promise<void> {
    const k = keyString(type, key);
    const current = this.items.get(k);
    if (!current) return;
    if (version !== undefined && current.meta.version !== version) throw new ConflictError(type, key);
    const removed: ChangeEvent[] = [{ op: 'delete', type, mesh: key.mesh, name: key.name }];
    this.items.delete(k);
    if (type === MESH_TYPE) {
      for (const [otherKey, r] of this.items) {
        if (r.meta.mesh === key.name) {
          this.items.delete(otherKey);
          removed.push({ op: 'delete', type: r.type, mesh: r.meta.mesh, name: r.meta.name });
        }
      }
    }
    for (const e of removed) this.emit(e);
  }

  watch(listener: ChangeListener): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }

  private emit(e: ChangeEvent): void {
    // deliver after the write returns, as a remote backend would
    queueMicrotask(() => this.events.emit('change', e));
  }
}

/**
 * ResourceStore on Kubernetes, the storage of `FERRY_ENVIRONMENT=kubernetes`: reads come from
 * informer caches, writes go to the apiserver and then wait for the cache to show them, so the
 * control plane reads its own writes. The change feed is the informers' events, which include
 * what others (kubectl, the pod controller) change.
 */
import { EventEmitter } from 'node:events';
import type { KubeConfig, V1OwnerReference } from '@kubernetes/client-node';
import type { Resource, ResourceKey } from '../../core/resource.js';
import { compareResources, matchesList, pageOf } from '../../store/listing.js';
import {
  AlreadyExistsError,
  ConflictError,
  MESH_TYPE,
  type ChangeListener,
  type ChangeOp,
  type CreateRequest,
  type ListRequest,
  type ListResult,
  type ResourceStore,
  type UpdateRequest,
} from '../../store/store.js';
import { allKubernetesKinds, KUMA_API_VERSION, type KubernetesKind } from '../kinds.js';
import type { ControllerLogger } from '../service-controller.js';
import { apiMessageOf, statusCodeOf } from '../api-errors.js';
import { CollectionCache, type CacheEvent } from './collection-cache.js';
import { endpointsFor } from './endpoints.js';
import { objectKeyOf, type ObjectKey } from './names.js';
import { meshOf, toFerryResource, toKubernetesObject, type KubeObject } from './objects.js';

export interface KubernetesStoreOptions {
  /** The control plane's namespace: Secrets, Config, and namespaced kinds named without a namespace. */
  systemNamespace: string;
  logger: ControllerLogger;
  /** How long a write waits for the cache to show it before returning anyway. */
  cacheWaitMs?: number;
  /** First retry delay of a failed list or watch; doubles per consecutive failure. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface KubernetesStore extends ResourceStore {
  /** Resolves once every informer has listed its collection; reads and writes wait for it. */
  readonly synced: Promise<void>;
}

const CHANGE_OPS: Record<CacheEvent, ChangeOp> = { add: 'create', update: 'update', delete: 'delete' };

/** Secret and GlobalSecret share one collection and differ by Secret type. */
function holds(kind: KubernetesKind, obj: KubeObject): boolean {
  return kind.storage !== 'secret' || obj.type === kind.secretType;
}

class KubernetesResourceStore implements KubernetesStore {
  readonly synced: Promise<void>;
  private readonly kinds = new Map<string, KubernetesKind>();
  private readonly caches = new Map<string, CollectionCache>();
  private readonly events = new EventEmitter();
  private readonly systemNamespace: string;
  private readonly cacheWaitMs: number;

  constructor(kc: KubeConfig, options: KubernetesStoreOptions) {
    this.events.setMaxListeners(0);
    this.systemNamespace = options.systemNamespace;
    this.cacheWaitMs = options.cacheWaitMs ?? 10_000;
    const retry = { retryBaseMs: options.retryBaseMs ?? 100, retryMaxMs: options.retryMaxMs ?? 30_000 };
    const kinds = allKubernetesKinds();
    const endpoints = endpointsFor(kc, kinds, this.systemNamespace);
    const byCollection = new Map<string, CollectionCache>();
    for (const kind of kinds) {
      const endpoint = endpoints.get(kind.kind)!;
      let cache = byCollection.get(endpoint.path);
      if (!cache) {
        const sharing = kinds.filter((k) => endpoints.get(k.kind) === endpoint);
        cache = new CollectionCache(kc, endpoint, options.logger, retry, (event, obj) => this.publish(sharing, event, obj));
        byCollection.set(endpoint.path, cache);
      }
      this.kinds.set(kind.kind, kind);
      this.caches.set(kind.kind, cache);
    }
    this.synced = Promise.all([...byCollection.values()].map((c) => c.start())).then(() => undefined);
  }

  async get(type: string, key: ResourceKey): Promise<Resource | undefined> {
    await this.synced;
    const kind = this.kinds.get(type);
    const objectKey = kind && this.objectKeyOrUndefined(kind, key.name);
    if (!kind || !objectKey) return undefined;
    const obj = this.caches.get(type)!.get(objectKey);
    if (!obj || !holds(kind, obj)) return undefined;
    const r = toFerryResource(type, kind, obj, this.systemNamespace);
    // Kubernetes keys by namespace and name only; another mesh's object is not this one.
    return r.meta.mesh === key.mesh ? r : undefined;
  }

  async list(type: string, req: ListRequest = {}): Promise<ListResult> {
    await this.synced;
    const kind = this.kinds.get(type);
    if (!kind) return { items: [], total: 0 };
    const matched: Resource[] = [];
    for (const obj of this.caches.get(type)!.list()) {
      if (!holds(kind, obj)) continue;
      const r = toFerryResource(type, kind, obj, this.systemNamespace);
      if (matchesList(r, req)) matched.push(r);
    }
    matched.sort(compareResources);
    return pageOf(req.predicate ? matched.filter((r) => req.predicate!(r)) : matched, req);
  }

  async create(type: string, req: CreateRequest): Promise<Resource> {
    await this.synced;
    const kind = this.kindForWrite(type, 'create');
    const key = this.objectKey(kind, req.name);
    const body = toKubernetesObject({
      kind,
      key,
      ferryName: req.name,
      mesh: req.mesh,
      labels: req.labels ?? {},
      spec: req.spec,
      owner: this.ownerFor(type, key, req.mesh),
    });
    const cache = this.caches.get(type)!;
    let created: KubeObject;
    try {
      created = await cache.endpoint.create(key, body);
    } catch (err) {
      if (statusCodeOf(err) === 409) throw new AlreadyExistsError(type, req);
      throw new Error(`failed to create k8s resource: ${apiMessageOf(err)}`);
    }
    await cache.waitForVersion(key, created.metadata?.resourceVersion ?? '', this.cacheWaitMs);
    return toFerryResource(type, kind, created, this.systemNamespace);
  }

  async update(type: string, req: UpdateRequest): Promise<Resource> {
    await this.synced;
    const kind = this.kindForWrite(type, 'update');
    const key = this.objectKey(kind, req.name);
    const cache = this.caches.get(type)!;
    const current = cache.get(key) ?? (await this.readLive(type, key));
    if (!current || !holds(kind, current) || meshOf(kind, current) !== req.mesh) throw new ConflictError(type, req);
    const body = toKubernetesObject({
      kind,
      key,
      ferryName: req.name,
      mesh: req.mesh,
      labels: req.labels ?? toFerryResource(type, kind, current, this.systemNamespace).meta.labels,
      spec: req.spec,
      current: current.metadata,
      resourceVersion: req.version,
      modificationTime: req.modificationTime ?? new Date(),
    });
    let updated: KubeObject;
    try {
      updated = await cache.endpoint.replace(key, body);
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 409 || code === 404) throw new ConflictError(type, req);
      throw new Error(`failed to update k8s resource: ${apiMessageOf(err)}`);
    }
    await cache.waitForVersion(key, updated.metadata?.resourceVersion ?? '', this.cacheWaitMs);
    return toFerryResource(type, kind, updated, this.systemNamespace);
  }

  async delete(type: string, key: ResourceKey, version?: string): Promise<void> {
    await this.synced;
    const kind = this.kinds.get(type);
    const objectKey = kind && this.objectKeyOrUndefined(kind, key.name);
    if (!kind || !objectKey) return;
    // Read live: the version check and the mesh check must not trust a lagging cache.
    const current = await this.readLive(type, objectKey);
    if (!current || !holds(kind, current) || meshOf(kind, current) !== key.mesh) return;
    if (version !== undefined && current.metadata?.resourceVersion !== version) throw new ConflictError(type, key);
    try {
      await this.caches.get(type)!.endpoint.remove(objectKey, version);
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 409) throw new ConflictError(type, key);
      if (code !== 404) throw new Error(`failed to delete k8s resource: ${apiMessageOf(err)}`);
    }
    await this.caches.get(type)!.waitForRemoval(objectKey, current.metadata?.uid, this.cacheWaitMs);
    if (type === MESH_TYPE) await this.deleteMeshContents(key.name);
  }

  watch(listener: ChangeListener): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
    await Promise.all([...new Set(this.caches.values())].map((c) => c.stop()));
  }

  /**
   * Kubernetes has no multi-object transaction: the contents go one by one, from what the caches
   * know. Resources created with the Mesh in place also name it as owner, so the garbage collector
   * removes what a cache had not seen yet.
   */
  private async deleteMeshContents(mesh: string): Promise<void> {
    const removals: Promise<void>[] = [];
    for (const [type, kind] of this.kinds) {
      if (type === MESH_TYPE) continue;
      const cache = this.caches.get(type)!;
      for (const obj of cache.list()) {
        if (!holds(kind, obj) || meshOf(kind, obj) !== mesh) continue;
        const key: ObjectKey = { name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace };
        removals.push(
          cache.endpoint.remove(key).then(
            () => cache.waitForRemoval(key, obj.metadata?.uid, this.cacheWaitMs),
            (err: unknown) => {
              if (statusCodeOf(err) !== 404) throw new Error(`failed to delete k8s resource: ${apiMessageOf(err)}`);
            },
          ),
        );
      }
    }
    await Promise.all(removals);
  }

  /**
   * Kuma makes the Mesh the owner of what is created in it, except that a DataplaneInsight is owned by
   * its Dataplane, so it goes with the pod.
   */
  private ownerFor(type: string, key: ObjectKey, mesh: string): V1OwnerReference | undefined {
    if (type === 'DataplaneInsight') {
      const dataplane = this.caches.get('Dataplane')?.get(key);
      const uid = dataplane?.metadata?.uid;
      if (uid) return { apiVersion: KUMA_API_VERSION, kind: 'Dataplane', name: key.name, uid };
    }
    return this.meshOwner(mesh);
  }

  /** The Mesh as owner. */
  private meshOwner(mesh: string): V1OwnerReference | undefined {
    if (mesh === '') return undefined;
    const obj = this.caches.get(MESH_TYPE)?.get({ name: mesh });
    const uid = obj?.metadata?.uid;
    return uid ? { apiVersion: KUMA_API_VERSION, kind: MESH_TYPE, name: mesh, uid } : undefined;
  }

  private async readLive(type: string, key: ObjectKey): Promise<KubeObject | undefined> {
    try {
      return await this.caches.get(type)!.endpoint.read(key);
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw new Error(`failed to get k8s resource: ${apiMessageOf(err)}`);
    }
  }

  private publish(sharing: KubernetesKind[], event: CacheEvent, obj: KubeObject): void {
    const kind = sharing.find((k) => holds(k, obj));
    if (!kind) return;
    const r = toFerryResource(kind.kind, kind, obj, this.systemNamespace);
    this.events.emit('change', { op: CHANGE_OPS[event], type: kind.kind, mesh: r.meta.mesh, name: r.meta.name });
  }

  private kindForWrite(type: string, verb: string): KubernetesKind {
    const kind = this.kinds.get(type);
    if (!kind) throw new Error(`cannot ${verb} instance of unregistered type "${type}"`);
    return kind;
  }

  private objectKey(kind: KubernetesKind, name: string): ObjectKey {
    if (name === '') throw new Error("name can't be empty");
    return objectKeyOf(kind, name, this.systemNamespace);
  }

  private objectKeyOrUndefined(kind: KubernetesKind, name: string): ObjectKey | undefined {
    try {
      return this.objectKey(kind, name);
    } catch {
      return undefined;
    }
  }
}

export async function openKubernetesStore(kc: KubeConfig, options: KubernetesStoreOptions): Promise<KubernetesStore> {
  return new KubernetesResourceStore(kc, options);
}

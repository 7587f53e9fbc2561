/**
 * The write path shared by the API, the CLI-facing server and controllers:
 * shape checks, Kuma's validation, server-side mutation and computed labels,
 * then an optimistic-concurrency write to the store.
 */
import type { KindDescriptor, KindRegistry } from './registry.js';
import type { Labels, Resource, ResourceKey, Spec } from './resource.js';
import { computeLabels, validateLabels, type ComputeOptions } from './labels.js';
import { validateMeshRef, validateName } from './names.js';
import { ValidationError, type Violation } from './validation.js';
import { AlreadyExistsError, NotFoundError, type ListRequest, type ListResult, type ResourceStore } from '../store/store.js';
import { defaultResourcesFor } from './mesh-defaults.js';
import { mutateDataplaneOnWrite } from './dataplane-mutation.js';

export class MeshNotFoundError extends Error {
  constructor(readonly mesh: string) {
    super(`mesh of name ${mesh} is not found`);
    this.name = 'MeshNotFoundError';
  }
}

export interface WriteInput {
  labels: Labels;
  spec: Spec;
}

export interface ApplyResult {
  created: boolean;
  resource: Resource;
}

export interface ManagerOptions extends ComputeOptions {
  /** Runs after a Mesh is written (e.g. creating its CA), before the write is acknowledged. */
  afterMeshWrite?: (mesh: Resource) => Promise<void>;
  /** Checks of a deletion that need the store (e.g. a Secret a CA backend uses); violations refuse it. */
  validateDeleteWithStore?: (type: string, key: ResourceKey) => Promise<Violation[]>;
  /** Checks of a Mesh that need the store (e.g. a provided CA's Secrets); violations reject the write. */
  validateMeshWithStore?: (name: string, spec: Spec) => Promise<Violation[]>;
}

export class ResourceManager {
  constructor(
    readonly store: ResourceStore,
    readonly registry: KindRegistry,
    private readonly opts: ManagerOptions,
  ) {}

  async get(kind: KindDescriptor, key: ResourceKey): Promise<Resource> {
    const r = await this.store.get(kind.name, this.scoped(kind, key));
    if (!r) throw new NotFoundError(kind.name, key);
    return r;
  }

  async find(kind: KindDescriptor, key: ResourceKey): Promise<Resource | undefined> {
    return this.store.get(kind.name, this.scoped(kind, key));
  }

  list(kind: KindDescriptor, req: ListRequest = {}): Promise<ListResult> {
    return this.store.list(kind.name, kind.scope === 'Global' ? { ...req, mesh: undefined } : req);
  }

  /** Create or update (PUT semantics). A concurrent writer makes this fail with a conflict, never a lost update. */
  async apply(kind: KindDescriptor, key: ResourceKey, input: WriteInput): Promise<ApplyResult> {
    const current = await this.find(kind, key);
    if (current) return { created: false, resource: await this.update(kind, current, input) };
    return { created: true, resource: await this.create(kind, key, input) };
  }

  async create(kind: KindDescriptor, key: ResourceKey, input: WriteInput): Promise<Resource> {
    const k = this.scoped(kind, key);
    const spec = this.validated(kind, k, input, undefined);
    await this.validateWithStore(kind, k, spec);
    await this.requireMesh(kind, k.mesh);
    const written = kind.name === 'Dataplane' ? mutateDataplaneOnWrite(spec, this.opts.zone, true) : spec;
    const created = await this.store.create(kind.name, {
      ...k,
      spec: written,
      labels: computeLabels(kind, written, input.labels, k.mesh, this.opts),
    });
    if (kind.name === 'Mesh') {
      await this.createMeshDefaults(created);
      await this.opts.afterMeshWrite?.(created);
    }
    return created;
  }

  /** What a new mesh starts with; a default someone already created is left alone. */
  private async createMeshDefaults(mesh: Resource): Promise<void> {
    for (const d of defaultResourcesFor(mesh.meta.name, mesh.spec)) {
      const kind = this.registry.get(d.type);
      if (!kind) continue;
      try {
        await this.create(kind, { mesh: mesh.meta.name, name: d.name }, { labels: d.labels, spec: d.spec });
      } catch (e) {
        if (!(e instanceof AlreadyExistsError)) throw e;
      }
    }
  }

  async update(kind: KindDescriptor, current: Resource, input: WriteInput): Promise<Resource> {
    const k = { mesh: current.meta.mesh, name: current.meta.name };
    const spec = this.validated(kind, k, input, current.spec);
    await this.validateWithStore(kind, k, spec);
    await this.requireMesh(kind, k.mesh);
    const written = kind.name === 'Dataplane' ? mutateDataplaneOnWrite(spec, this.opts.zone, false) : spec;
    const updated = await this.store.update(kind.name, {
      ...k,
      version: current.meta.version,
      spec: written,
      labels: computeLabels(kind, written, input.labels, k.mesh, this.opts),
    });
    if (kind.name === 'Mesh') await this.opts.afterMeshWrite?.(updated);
    return updated;
  }

  async delete(kind: KindDescriptor, key: ResourceKey): Promise<void> {
    const current = await this.get(kind, key);
    const refusals = (await this.opts.validateDeleteWithStore?.(kind.name, key)) ?? [];
    if (refusals.length > 0) throw new ValidationError(refusals);
    if (kind.name === 'Mesh') {
      const dps = await this.store.list('Dataplane', { mesh: key.name, size: 1 });
      if (dps.total > 0) {
        throw ValidationError.single('mesh', 'unable to delete mesh, there are still some dataplanes attached');
      }
    }
    await this.store.delete(kind.name, this.scoped(kind, key), current.meta.version);
  }

  private scoped(kind: KindDescriptor, key: ResourceKey): ResourceKey {
    return kind.scope === 'Global' ? { mesh: '', name: key.name } : key;
  }

  private validated(kind: KindDescriptor, key: ResourceKey, input: WriteInput, previous: Spec | undefined): Spec {
    const violations: Violation[] = [...validateName(key.name)];
    if (kind.scope === 'Mesh') violations.push(...validateMeshRef(key.mesh));
    violations.push(...validateLabels(input.labels, key.mesh, { zone: this.opts.zone }));
    const spec = kind.applyDefaults ? kind.applyDefaults(structuredClone(input.spec)) : input.spec;
    if (kind.validate) violations.push(...kind.validate(spec, { name: key.name, mesh: key.mesh, labels: input.labels, previous }));
    if (violations.length > 0) throw new ValidationError(violations);
    return spec;
  }

  private async validateWithStore(kind: KindDescriptor, key: ResourceKey, spec: Spec): Promise<void> {
    if (kind.name !== 'Mesh' || !this.opts.validateMeshWithStore) return;
    const violations = await this.opts.validateMeshWithStore(key.name, spec);
    if (violations.length > 0) throw new ValidationError(violations);
  }

  private async requireMesh(kind: KindDescriptor, mesh: string): Promise<void> {
    if (kind.scope !== 'Mesh') return;
    if (!(await this.store.get('Mesh', { mesh: '', name: mesh }))) throw new MeshNotFoundError(mesh);
  }
}

/**
 * The per-mesh view generation reads: the Mesh, its Dataplanes, the shared endpoint
 * index, and a hash per service so a proxy can tell whether anything it uses changed.
 */
import { createHash } from 'node:crypto';
import type { Resource } from '../core/resource.js';
import type { ResourceStore } from '../store/store.js';
import { buildEndpointIndex } from './generate/index.js';
import type { EndpointIndex, MeshSnapshot } from './generate/index.js';
import type { OutboundInterface } from './generate/dataplane-view.js';

/** Outbounds the platform adds to a mesh (Kubernetes ClusterIPs), and word of when they may have changed. */
export interface PlatformOutbounds {
  outbounds(mesh: string, dataplanes: readonly Resource[]): OutboundInterface[];
  /** Returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export interface MeshState {
  snapshot: MeshSnapshot;
  /** Dataplane name → the CA backend its current certificate came from (from DataplaneInsights). */
  issuedBackends: ReadonlyMap<string, string>;
  byName: ReadonlyMap<string, Resource>;
  index: EndpointIndex;
  meshHash: string;
  /** kuma.io/service → hash of everything that service's endpoints depend on. */
  serviceHashes: Map<string, string>;
  /** Hash over all services, for proxies that may reach any of them. */
  allServicesHash: string;
}

interface Inbound {
  tags?: Record<string, string>;
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}

/** Stored resources are never mutated, so a spec's hash can be remembered per object. */
const specHashes = new WeakMap<object, string>();

export function specHash(r: Resource): string {
  let h = specHashes.get(r.spec);
  if (h === undefined) {
    h = hashOf(r.spec);
    specHashes.set(r.spec, h);
  }
  return h;
}

/** Pass the previous state of the same mesh to keep what generation memoised for unchanged services. */
/**
 * Services every one of whose proxies holds a certificate from the enabled backend: in a
 * PERMISSIVE mesh, clients only switch to mTLS for these (Kuma's ServiceInsight readiness).
 */
export function tlsReadyServices(mesh: Resource, dataplanes: readonly Resource[], issued: ReadonlyMap<string, string>): Set<string> {
  const backend = (mesh.spec.mtls as { enabledBackend?: string } | undefined)?.enabledBackend;
  const ready = new Set<string>();
  const notReady = new Set<string>();
  if (!backend) return ready;
  for (const dp of dataplanes) {
    const hasCert = issued.get(dp.meta.name) === backend;
    for (const inbound of ((dp.spec.networking as { inbound?: Inbound[] } | undefined)?.inbound ?? [])) {
      const service = inbound.tags?.['kuma.io/service'];
      if (!service) continue;
      if (hasCert && !notReady.has(service)) ready.add(service);
      else {
        notReady.add(service);
        ready.delete(service);
      }
    }
  }
  return ready;
}

export function buildMeshState(
  mesh: Resource,
  dataplanes: Resource[],
  zone: string,
  meshTrafficPermissions: Resource[],
  issuedBackends: ReadonlyMap<string, string>,
  /** Undefined when this control plane allocates no VIPs: transparent proxies keep their spec outbounds. */
  vips: ReadonlyMap<string, string> | undefined,
  previous?: MeshState,
  /** Undefined when the platform adds none (Universal). */
  platformOutbounds?: readonly OutboundInterface[],
): MeshState {
  const ready = tlsReadyServices(mesh, dataplanes, issuedBackends);
  const snapshot: MeshSnapshot = { mesh, dataplanes, zone, meshTrafficPermissions, tlsReadyServices: ready, vips };
  if (platformOutbounds !== undefined) snapshot.platformOutbounds = platformOutbounds;
  const contributions = new Map<string, unknown[]>();
  for (const dp of dataplanes) {
    const networking = (dp.spec.networking ?? {}) as { inbound?: Inbound[]; address?: string; advertisedAddress?: string };
    for (const inbound of networking.inbound ?? []) {
      const service = inbound.tags?.['kuma.io/service'];
      if (!service) continue;
      const list = contributions.get(service) ?? [];
      // endpoint metadata carries the Dataplane's labels, so they count too
      list.push([dp.meta.name, networking.address, networking.advertisedAddress, inbound, dp.meta.labels]);
      contributions.set(service, list);
    }
  }
  const serviceHashes = new Map<string, string>();
  for (const [service, list] of [...contributions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    serviceHashes.set(service, hashOf(list));
  }
  return {
    snapshot,
    issuedBackends,
    byName: new Map(dataplanes.map((d) => [d.meta.name, d])),
    index: buildEndpointIndex(snapshot, previous?.index),
    // policies change what every proxy of the mesh gets, like the Mesh itself
    meshHash: hashOf([mesh.spec, meshTrafficPermissions.map((p) => [p.meta.name, p.spec]), [...ready].sort(), [...(vips ?? [])].sort(), platformOutbounds ?? null]),
    serviceHashes,
    allServicesHash: hashOf([...serviceHashes]),
  };
}

export function issuedBackendOf(insight: Resource | undefined): string | undefined {
  return (insight?.spec.mTLS as { issuedBackend?: string } | undefined)?.issuedBackend;
}

function issuedBackendsOf(insights: readonly Resource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const insight of insights) {
    const backend = issuedBackendOf(insight);
    if (backend) out.set(insight.meta.name, backend);
  }
  return out;
}

/** Mesh states, loaded on demand and rebuilt when the store says the mesh changed. */
export class MeshStates {
  private readonly states = new Map<string, Promise<MeshState | undefined>>();

  constructor(
    private readonly store: ResourceStore,
    private readonly zone: string,
    /** The mesh's current VIP table (refreshed from its Dataplanes). */
    private readonly vips?: (mesh: string) => Promise<ReadonlyMap<string, string>>,
    private readonly platform?: PlatformOutbounds,
  ) {}

  /** Meshes whose state is loaded (or loading). */
  loadedMeshes(): string[] {
    return [...this.states.keys()];
  }

  private platformOutbounds(mesh: string, dataplanes: readonly Resource[]): OutboundInterface[] | undefined {
    return this.platform?.outbounds(mesh, dataplanes);
  }

  get(mesh: string): Promise<MeshState | undefined> {
    let state = this.states.get(mesh);
    if (!state) {
      state = this.load(mesh);
      this.states.set(mesh, state);
      state.catch(() => this.states.delete(mesh));
    }
    return state;
  }

  invalidate(mesh: string): void {
    this.states.delete(mesh);
  }

  /** The loaded state, if any, without loading it. */
  peek(mesh: string): Promise<MeshState | undefined> | undefined {
    return this.states.get(mesh);
  }

  /** Re-reads only the named Dataplanes of a loaded mesh; the rest of the state carries over. */
  update(mesh: string, changed: ReadonlySet<string>): void {
    const previous = this.states.get(mesh);
    if (!previous) return; // not loaded: the next get() reads it fresh
    const next = previous
      .then(async (state) => {
        if (!state) return this.load(mesh);
        const byName = new Map(state.snapshot.dataplanes.map((d) => [d.meta.name, d]));
        for (const name of changed) {
          const dp = await this.store.get('Dataplane', { mesh, name });
          if (dp) byName.set(name, dp);
          else byName.delete(name);
        }
        const dataplanes = [...byName.values()].sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
        return buildMeshState(
          state.snapshot.mesh,
          dataplanes,
          this.zone,
          state.snapshot.meshTrafficPermissions ?? [],
          state.issuedBackends,
          state.snapshot.vips,
          state,
          this.platformOutbounds(mesh, dataplanes),
        );
      })
      .catch(() => this.load(mesh));
    this.states.set(mesh, next);
  }

  private async load(mesh: string): Promise<MeshState | undefined> {
    const meshResource = await this.store.get('Mesh', { mesh: '', name: mesh });
    if (!meshResource) return undefined;
    const { items } = await this.store.list('Dataplane', { mesh });
    const { items: permissions } = await this.store.list('MeshTrafficPermission', { mesh });
    const { items: insights } = await this.store.list('DataplaneInsight', { mesh });
    const vips = this.vips ? await this.vips(mesh) : undefined;
    return buildMeshState(meshResource, items, this.zone, permissions, issuedBackendsOf(insights), vips, undefined, this.platformOutbounds(mesh, items));
  }
}

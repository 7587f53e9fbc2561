/**
 * The per-mesh view generation reads: the Mesh, its Dataplanes, the shared endpoint
 * index, and a hash per service so a proxy can tell whether anything it uses changed.
 */
import { createHash } from 'node:crypto';
import type { Resource } from '../core/resource.js';
import type { ResourceStore } from '../store/store.js';
import { buildEndpointIndex } from './generate/index.js';
import type { EndpointIndex, MeshSnapshot } from './generate/index.js';

export interface MeshState {
  snapshot: MeshSnapshot;
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

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}

export function buildMeshState(mesh: Resource, dataplanes: Resource[]): MeshState {
  const snapshot: MeshSnapshot = { mesh, dataplanes };
  const contributions = new Map<string, unknown[]>();
  for (const dp of dataplanes) {
    const networking = (dp.spec.networking ?? {}) as { inbound?: Inbound[]; address?: string; advertisedAddress?: string };
    for (const inbound of networking.inbound ?? []) {
      const service = inbound.tags?.['kuma.io/service'];
      if (!service) continue;
      const list = contributions.get(service) ?? [];
      list.push([dp.meta.name, networking.address, networking.advertisedAddress, inbound]);
      contributions.set(service, list);
    }
  }
  const serviceHashes = new Map<string, string>();
  for (const [service, list] of [...contributions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    serviceHashes.set(service, hashOf(list));
  }
  return {
    snapshot,
    index: buildEndpointIndex(snapshot),
    meshHash: hashOf(mesh.spec),
    serviceHashes,
    allServicesHash: hashOf([...serviceHashes]),
  };
}

/** Mesh states, loaded on demand and rebuilt when the store says the mesh changed. */
export class MeshStates {
  private readonly states = new Map<string, Promise<MeshState | undefined>>();

  constructor(private readonly store: ResourceStore) {}

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

  private async load(mesh: string): Promise<MeshState | undefined> {
    const meshResource = await this.store.get('Mesh', { mesh: '', name: mesh });
    if (!meshResource) return undefined;
    const { items } = await this.store.list('Dataplane', { mesh });
    return buildMeshState(meshResource, items);
  }
}

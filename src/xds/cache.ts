/**
 * The latest xDS resources per node id, with change notification per type URL.
 * Streams read from it; the control plane writes to it. It knows nothing of meshes.
 */
import { createHash } from 'node:crypto';
import type { ResourceSet, XdsResource } from './resources.js';

export type CacheListener = (changedTypeUrls: Set<string>) => void;

const EMPTY: ReadonlyMap<string, XdsResource> = new Map();

/** Version of a group of resources: a hash over its (name, version) pairs, independent of order. */
export function versionOf(resources: Iterable<{ name: string; version: string }>): string {
  const pairs = [...resources].map((r) => `${r.name}\u0000${r.version}`).sort();
  const h = createHash('sha256');
  for (const p of pairs) h.update(p).update('\n');
  return h.digest('base64url').slice(0, 16);
}

function sameContent(a: ReadonlyMap<string, XdsResource>, b: ReadonlyMap<string, XdsResource>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, res] of a) {
    if (b.get(name)?.version !== res.version) return false;
  }
  return true;
}

function changedTypes(prev: ResourceSet | undefined, next: ResourceSet): Set<string> {
  const changed = new Set<string>();
  const types = new Set([...(prev?.keys() ?? []), ...next.keys()]);
  for (const typeUrl of types) {
    if (!sameContent(prev?.get(typeUrl) ?? EMPTY, next.get(typeUrl) ?? EMPTY)) changed.add(typeUrl);
  }
  return changed;
}

interface NodeEntry {
  resources: ResourceSet;
  /** Per-type versions, computed on first use. */
  versions: Map<string, string>;
}

export class SnapshotCache {
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly listeners = new Map<string, Set<CacheListener>>();

  /**
   * Replaces a node's resources. Listeners hear only about types whose content changed.
   * Listeners run synchronously and must only record the change (streams do their sending
   * elsewhere), so a slow stream never holds up the writer or the other streams.
   */
  set(nodeId: string, resources: ResourceSet): void {
    const prev = this.nodes.get(nodeId);
    // a private copy: later edits to the caller's maps must not leak into served state
    const copy: ResourceSet = new Map([...resources].map(([typeUrl, byName]) => [typeUrl, new Map(byName)]));
    const changed = changedTypes(prev?.resources, copy);
    if (prev && changed.size === 0) return;
    const versions = new Map<string, string>();
    // unchanged types keep their computed versions
    for (const [typeUrl, version] of prev?.versions ?? []) if (!changed.has(typeUrl)) versions.set(typeUrl, version);
    this.nodes.set(nodeId, { resources: copy, versions });
    if (changed.size > 0) this.notify(nodeId, changed);
  }

  get(nodeId: string): ResourceSet | undefined {
    return this.nodes.get(nodeId)?.resources;
  }

  /** Forgets a node. Open streams are not told: they keep what they were sent. */
  delete(nodeId: string): void {
    this.nodes.delete(nodeId);
  }

  /** Resources of one type for a node; empty when the node or type is unknown. */
  resourcesOf(nodeId: string, typeUrl: string): ReadonlyMap<string, XdsResource> {
    return this.nodes.get(nodeId)?.resources.get(typeUrl) ?? EMPTY;
  }

  /** SotW version of one type for a node: changes only when that type's content changes. */
  typeVersion(nodeId: string, typeUrl: string): string {
    const entry = this.nodes.get(nodeId);
    if (!entry) return versionOf([]);
    let version = entry.versions.get(typeUrl);
    if (version === undefined) {
      version = versionOf((entry.resources.get(typeUrl) ?? EMPTY).values());
      entry.versions.set(typeUrl, version);
    }
    return version;
  }

  subscribe(nodeId: string, listener: CacheListener): () => void {
    let set = this.listeners.get(nodeId);
    if (!set) {
      set = new Set();
      this.listeners.set(nodeId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(nodeId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(nodeId);
    };
  }

  private notify(nodeId: string, changed: Set<string>): void {
    for (const listener of [...(this.listeners.get(nodeId) ?? [])]) {
      try {
        // each listener gets its own set so none can disturb another's view
        listener(new Set(changed));
      } catch {
        // a faulty listener must not stop the others or the writer
      }
    }
  }
}

/** Filtering, ordering and paging rules shared by every store backend. */
import type { Resource } from '../core/resource.js';
import type { ListRequest, ListResult } from './store.js';

export function compareResources(a: Resource, b: Resource): number {
  if (a.meta.name !== b.meta.name) return a.meta.name < b.meta.name ? -1 : 1;
  if (a.meta.mesh !== b.meta.mesh) return a.meta.mesh < b.meta.mesh ? -1 : 1;
  return 0;
}

export function matchesList(r: Resource, req: ListRequest): boolean {
  if (req.mesh !== undefined && r.meta.mesh !== req.mesh) return false;
  if (req.nameContains && !r.meta.name.includes(req.nameContains)) return false;
  if (req.labels) {
    for (const [k, v] of Object.entries(req.labels)) {
      if (r.meta.labels[k] !== v) return false;
    }
  }
  return true;
}

export function pageOf(sorted: Resource[], req: ListRequest): ListResult {
  const offset = req.offset ?? 0;
  const end = req.size === undefined ? sorted.length : offset + req.size;
  const items = sorted.slice(offset, end);
  return { items, total: sorted.length, nextOffset: end < sorted.length ? end : undefined };
}

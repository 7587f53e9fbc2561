/**
 * Groups of proxies described by tags, some negated (`version != v1`), as Kuma's
 * rule computation uses them (`pkg/plugins/policies/core/rules/subsetutils`).
 * The empty subset is every proxy.
 */
import type { TargetRef } from '../resources/target-ref.js';

export const SERVICE_TAG = 'kuma.io/service';

export interface Tag {
  key: string;
  value: string;
  /** The subset holds proxies whose `key` is anything but `value` (or absent). */
  not: boolean;
}

export type Subset = readonly Tag[];

/** A proxy's tags. */
export type Element = Readonly<Record<string, string>>;

export function numPositive(subset: Subset): number {
  return subset.filter((t) => !t.not).length;
}

/**
 * Whether the proxy with tags `element` belongs to the subset. A negated tag the
 * element lacks does not exclude it; a positive tag it lacks does.
 */
export function containsElement(subset: Subset, element: Element): boolean {
  if (subset.length === 0) return true;
  if (Object.keys(element).length === 0) return false;
  let overlaps = false;
  for (const tag of subset) {
    if (Object.hasOwn(element, tag.key)) {
      overlaps = true;
      if ((element[tag.key] === tag.value) === tag.not) return false;
    } else if (!tag.not) {
      return false;
    }
  }
  return overlaps || numPositive(subset) === 0;
}

function tagCovers(outer: Tag, inner: Tag): boolean {
  if (outer.key !== inner.key) return false;
  if (outer.not === inner.not) return outer.value === inner.value;
  // {k: !a} covers {k: b} when a != b; {k: a} never covers {k: !b}.
  return outer.not ? outer.value !== inner.value : false;
}

/** Whether every proxy of `inner` is in `outer`. */
export function covers(outer: Subset, inner: Subset): boolean {
  if (outer.length === 0) return true;
  for (const tag of outer) {
    const same = inner.filter((t) => t.key === tag.key);
    if (same.length === 0) return false;
    if (!same.every((t) => tagCovers(tag, t))) return false;
  }
  return true;
}

/** Whether some proxy can be in both; only positive tags can rule that out. */
export function intersects(a: Subset, b: Subset): boolean {
  if (a.length === 0 || b.length === 0) return true;
  for (const tag of a) {
    if (tag.not) continue;
    for (const other of b) {
      if (!other.not && other.key === tag.key && other.value !== tag.value) return false;
    }
  }
  return true;
}

/** The clients a `from[].targetRef` names, as tags. */
export function subsetOfTargetRef(ref: TargetRef): Subset {
  const positive = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([key, value]) => ({ key, value, not: false }));
  switch (ref.kind) {
    case 'Mesh':
      return [];
    case 'MeshSubset':
      return positive(ref.tags ?? {});
    case 'MeshService':
      return [{ key: SERVICE_TAG, value: ref.name ?? '', not: false }];
    case 'MeshServiceSubset':
      return [{ key: SERVICE_TAG, value: ref.name ?? '', not: false }, ...positive(ref.tags ?? {})];
    default:
      throw new Error(`can't represent ${ref.kind} as tags`);
  }
}

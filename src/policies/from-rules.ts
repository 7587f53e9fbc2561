/**
 * Kuma's "from rules" (`BuildRules` with negations, `pkg/plugins/policies/core/rules`):
 * the `from` entries of every policy that selects an inbound, already in
 * precedence order, turned into client groups, each with the merged conf of the
 * entries that cover it. Entries are grouped (see entry-groups.ts) and tag
 * combinations only enumerated within a group.
 *
 * With cliques (Kuma's default) the rules of different groups may overlap, so
 * they are only right when read first-match, in the returned order. With
 * connected components they are disjoint and may be read in any order.
 */
import { compareGoStrings } from '../core/go-compat/sort.js';
import type { TargetRef, TargetRefKind } from '../resources/target-ref.js';
import { groupEntries, type Grouping } from './entry-groups.js';
import { mergeConfs } from './conf-merge.js';
import { containsElement, covers, intersects, numPositive, subsetOfTargetRef, type Element, type Subset, type Tag } from './subset.js';
import { subsetCombinations } from './subset-combinations.js';

export interface FromItem<C> {
  targetRef: TargetRef;
  conf: C;
}

export interface FromRule<C> {
  /** The clients this rule is for. */
  subset: Subset;
  conf: C;
}

/** Kinds Kuma considers here (those that predate real-resource references). */
const TAG_KINDS: ReadonlySet<TargetRefKind> = new Set(['Mesh', 'MeshSubset', 'MeshServiceSubset', 'MeshService', 'MeshGateway', 'MeshHTTPRoute']);

/** `items` in increasing precedence: a later entry's conf is merged over earlier ones. Rules with more positive tags come first. */
export function buildFromRules<C>(items: readonly FromItem<C>[], grouping: Grouping = 'cliques'): FromRule<C>[] {
  const tagItems = items.filter((item) => TAG_KINDS.has(item.targetRef.kind));
  if (tagItems.length === 0) return [];
  let subsets: Subset[];
  try {
    subsets = tagItems.map((item) => subsetOfTargetRef(item.targetRef));
  } catch {
    // Kuma gives up on the whole list (and warns) when an entry is not a tag set.
    return [];
  }
  const groups = groupEntries(grouping, subsets.length, (i, j) => intersects(subsets[i], subsets[j]));
  // Kuma's order: groups by their node ids joined with ':', descending.
  groups.sort((a, b) => compareGoStrings(b.join(':'), a.join(':')));

  const rules: FromRule<C>[] = [];
  for (const group of groups) {
    const tags = new Map<string, Tag>();
    for (const node of group) for (const tag of subsets[node]) tags.set(`${tag.not}\0${tag.key}\0${tag.value}`, tag);
    const sorted = [...tags.values()].sort((a, b) => compareGoStrings(a.key, b.key) || compareGoStrings(a.value, b.value));
    for (const subset of subsetCombinations(sorted)) {
      const confs = tagItems.filter((_, i) => covers(subsets[i], subset)).map((item) => item.conf);
      const conf = mergeConfs(confs);
      if (conf !== undefined) rules.push({ subset, conf });
    }
  }
  // Stable: within equal counts the group order above is kept.
  return rules.sort((a, b) => numPositive(b.subset) - numPositive(a.subset));
}

/** The first rule whose subset holds a client with tags `element` (Kuma's `Rules.Compute`). */
export function ruleFor<C>(rules: readonly FromRule<C>[], element: Element): FromRule<C> | undefined {
  return rules.find((rule) => containsElement(rule.subset, element));
}

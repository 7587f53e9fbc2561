/**
 * Every way to split the proxies by a set of tags: for each key, either one of
 * its values or none of them. Produced in the order Kuma's subset iterator gives
 * (the first key varies fastest, the all-negative choice of a key comes first,
 * then its values from last to first).
 */
import type { Subset, Tag } from './subset.js';

interface Dimension {
  key: string;
  values: string[];
}

function dimensionsOf(tags: readonly Tag[]): Dimension[] {
  const byKey = new Map<string, Dimension>();
  for (const tag of tags) {
    let dimension = byKey.get(tag.key);
    if (!dimension) {
      dimension = { key: tag.key, values: [] };
      byKey.set(tag.key, dimension);
    }
    if (!dimension.values.includes(tag.value)) dimension.values.push(tag.value);
  }
  return [...byKey.values()];
}

function subsetAt(dimensions: readonly Dimension[], choice: readonly number[]): Subset {
  const out: Tag[] = [];
  dimensions.forEach((d, i) => {
    if (choice[i] === d.values.length) {
      for (const value of d.values) out.push({ key: d.key, value, not: true });
    } else {
      out.push({ key: d.key, value: d.values[d.values.length - choice[i] - 1], not: false });
    }
  });
  return out;
}

/** All combinations for `tags` (positive tags, in the order they should be considered). */
export function subsetCombinations(tags: readonly Tag[]): Subset[] {
  const dimensions = dimensionsOf(tags);
  const choice = dimensions.map(() => 0);
  const out: Subset[] = [];
  for (;;) {
    // An odometer: bump the first digit, carrying into the next ones.
    let i = 0;
    for (; i < choice.length; i++) {
      choice[i]++;
      if (choice[i] <= dimensions[i].values.length) break;
      choice[i] = 0;
    }
    out.push(subsetAt(dimensions, choice));
    if (i === choice.length) return out;
  }
}

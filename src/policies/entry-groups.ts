/**
 * Groups of `from` entries that can apply to the same client, over the graph
 * whose edges join intersecting entries. Tag combinations are only enumerated
 * within a group, which keeps the output small. Kuma v2.14.3 offers two
 * groupings: maximal cliques (its default) and connected components.
 */

export type Grouping = 'cliques' | 'components';

type Adjacency = (i: number, j: number) => boolean;

function neighboursOf(n: number, adjacent: Adjacency): Set<number>[] {
  const out: Set<number>[] = [];
  for (let i = 0; i < n; i++) {
    out.push(new Set());
    for (let j = 0; j < n; j++) if (i !== j && adjacent(i, j)) out[i].add(j);
  }
  return out;
}

/** Maximal cliques (Bron–Kerbosch with pivoting). Nodes are 0…n-1; `adjacent` must be symmetric. */
export function maximalCliques(n: number, adjacent: Adjacency): number[][] {
  const neighbours = neighboursOf(n, adjacent);
  const out: number[][] = [];
  const expand = (clique: number[], candidates: Set<number>, excluded: Set<number>) => {
    if (candidates.size === 0 && excluded.size === 0) {
      out.push([...clique].sort((a, b) => a - b));
      return;
    }
    // Pivot on the node with most candidate neighbours to prune branches.
    let pivot = -1;
    let best = -1;
    for (const u of [...candidates, ...excluded]) {
      let count = 0;
      for (const v of candidates) if (neighbours[u].has(v)) count++;
      if (count > best) {
        best = count;
        pivot = u;
      }
    }
    for (const v of [...candidates]) {
      if (neighbours[pivot].has(v)) continue;
      const next = neighbours[v];
      expand(
        [...clique, v],
        new Set([...candidates].filter((x) => next.has(x))),
        new Set([...excluded].filter((x) => next.has(x))),
      );
      candidates.delete(v);
      excluded.add(v);
    }
  };
  if (n > 0) expand([], new Set(Array.from({ length: n }, (_, i) => i)), new Set());
  return out;
}

/** Connected components, each sorted. */
export function connectedComponents(n: number, adjacent: Adjacency): number[][] {
  const neighbours = neighboursOf(n, adjacent);
  const seen = new Set<number>();
  const out: number[][] = [];
  for (let start = 0; start < n; start++) {
    if (seen.has(start)) continue;
    const component: number[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const node = stack.pop()!;
      component.push(node);
      for (const next of neighbours[node]) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    out.push(component.sort((a, b) => a - b));
  }
  return out;
}

export function groupEntries(grouping: Grouping, n: number, adjacent: Adjacency): number[][] {
  return grouping === 'cliques' ? maximalCliques(n, adjacent) : connectedComponents(n, adjacent);
}

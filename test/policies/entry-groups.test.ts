import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectedComponents, groupEntries, maximalCliques } from '../../src/policies/entry-groups.js';

function graph(edges: [number, number][]) {
  const set = new Set(edges.flatMap(([a, b]) => [`${a}-${b}`, `${b}-${a}`]));
  return (i: number, j: number) => set.has(`${i}-${j}`);
}

const sorted = (groups: number[][]) => groups.map((g) => g.join(':')).sort();

describe('grouping from entries', () => {
  it('a star gives one clique per leaf but a single component', () => {
    const star = graph([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    assert.deepEqual(sorted(maximalCliques(4, star)), ['0:1', '0:2', '0:3']);
    assert.deepEqual(sorted(connectedComponents(4, star)), ['0:1:2:3']);
  });

  it('a complete graph is one clique', () => {
    const all = () => true;
    assert.deepEqual(maximalCliques(4, all), [[0, 1, 2, 3]]);
  });

  it('isolated nodes are groups of their own', () => {
    const none = () => false;
    assert.deepEqual(sorted(maximalCliques(3, none)), ['0', '1', '2']);
    assert.deepEqual(sorted(connectedComponents(3, none)), ['0', '1', '2']);
  });

  it('a triangle with a tail: the triangle and the tail edge', () => {
    const g = graph([
      [0, 1],
      [1, 2],
      [0, 2],
      [2, 3],
    ]);
    assert.deepEqual(sorted(maximalCliques(4, g)), ['0:1:2', '2:3']);
    assert.deepEqual(sorted(groupEntries('components', 4, g)), ['0:1:2:3']);
  });

  it('no nodes, no groups', () => {
    assert.deepEqual(maximalCliques(0, () => true), []);
    assert.deepEqual(connectedComponents(0, () => true), []);
  });
});

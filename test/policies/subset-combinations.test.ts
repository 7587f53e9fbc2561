import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Subset, Tag } from '../../src/policies/subset.js';
import { subsetCombinations } from '../../src/policies/subset-combinations.js';

const is = (key: string, value: string): Tag => ({ key, value, not: false });
const show = (s: Subset) => s.map((t) => `${t.key}${t.not ? '!=' : '='}${t.value}`).join(',');

describe('tag combinations', () => {
  it('no tags: the whole mesh once', () => assert.deepEqual(subsetCombinations([]), [[]]));

  it('one tag: its negation first, then the tag', () => {
    assert.deepEqual(subsetCombinations([is('app', 'a')]).map(show), ['app!=a', 'app=a']);
  });

  it('the first key varies fastest; values come last to first; all-negative is the last choice of a key', () => {
    const combos = subsetCombinations([is('a', '1'), is('b', '1'), is('b', '2')]).map(show);
    assert.deepEqual(combos, ['a!=1,b=2', 'a=1,b=1', 'a!=1,b=1', 'a=1,b!=1,b!=2', 'a!=1,b!=1,b!=2', 'a=1,b=2']);
  });

  it('repeated tags count once', () => {
    assert.equal(subsetCombinations([is('a', '1'), is('a', '1')]).length, 2);
  });

  it('yields the product of (values + 1) over keys, all distinct', () => {
    const combos = subsetCombinations([is('a', '1'), is('a', '2'), is('b', '1'), is('c', '1'), is('c', '2'), is('c', '3')]).map(show);
    assert.equal(combos.length, 3 * 2 * 4);
    assert.equal(new Set(combos).size, combos.length);
  });
});

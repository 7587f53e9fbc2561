import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareGoStrings, sortedKeys } from '../../../src/core/go-compat/sort.js';

describe('Go string order', () => {
  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    const bmpLast = '\uffff';
    const astral = '\u{10000}';
    assert.ok(astral < bmpLast, 'JavaScript puts the surrogate pair first');
    assert.ok(compareGoStrings(bmpLast, astral) < 0);
    assert.deepEqual([astral, bmpLast].sort(compareGoStrings), [bmpLast, astral]);
  });

  it('puts upper case before lower case and prefixes first', () => {
    assert.deepEqual(['b', 'a', 'B', 'ab', ''].sort(compareGoStrings), ['', 'B', 'a', 'ab', 'b']);
    assert.equal(compareGoStrings('same', 'same'), 0);
  });

  it('sortedKeys lists a map in that order', () => {
    assert.deepEqual(sortedKeys({ z: 1, 'kuma.io/service': 2, A: 3, '\u{1f600}': 4, '\uff01': 5 }), ['A', 'kuma.io/service', 'z', '\uff01', '\u{1f600}']);
  });
});

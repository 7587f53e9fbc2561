import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfs, mergePatch } from '../../src/policies/conf-merge.js';

describe('merging confs as JSON merge patches', () => {
  it('later confs win field by field', () => {
    assert.deepEqual(mergeConfs([{ action: 'Allow' }, { action: 'Deny' }]), { action: 'Deny' });
    assert.deepEqual(mergeConfs([{ action: 'Allow' }, {}]), { action: 'Allow' }, 'an empty conf changes nothing');
    assert.deepEqual(mergeConfs([{ a: { x: 1, y: 2 } }, { a: { y: 3 }, b: [1] }]), { a: { x: 1, y: 3 }, b: [1] });
  });

  it('null removes, arrays and scalars replace', () => {
    assert.deepEqual(mergePatch({ a: 1, b: 2 }, { a: null }), { b: 2 });
    assert.deepEqual(mergePatch({ a: [1, 2] }, { a: [3] }), { a: [3] });
    assert.equal(mergePatch({ a: 1 }, 'x'), 'x');
  });

  it('nothing to merge', () => assert.equal(mergeConfs([]), undefined));
});

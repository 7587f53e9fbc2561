import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containsElement, covers, intersects, numPositive, subsetOfTargetRef, type Tag } from '../../src/policies/subset.js';

const is = (key: string, value: string): Tag => ({ key, value, not: false });
const isNot = (key: string, value: string): Tag => ({ key, value, not: true });

describe('subsets of proxies', () => {
  it('the empty subset holds every proxy, even one without tags', () => {
    assert.equal(containsElement([], {}), true);
    assert.equal(containsElement([], { app: 'a' }), true);
  });

  it('positive tags need the same value; a missing key excludes', () => {
    assert.equal(containsElement([is('app', 'a')], { app: 'a', v: '1' }), true);
    assert.equal(containsElement([is('app', 'a')], { app: 'b' }), false);
    assert.equal(containsElement([is('app', 'a'), is('v', '1')], { app: 'a' }), false);
    assert.equal(containsElement([is('app', 'a')], {}), false);
  });

  it('negated tags exclude only the named value', () => {
    assert.equal(containsElement([isNot('app', 'a')], { app: 'a' }), false);
    assert.equal(containsElement([isNot('app', 'a')], { app: 'b' }), true);
    assert.equal(containsElement([isNot('app', 'a')], { other: 'x' }), true, 'a missing key is not the value');
    assert.equal(containsElement([is('app', 'b'), isNot('v', '1')], { app: 'b' }), true);
  });

  it('covers: every proxy of the inner subset is in the outer one', () => {
    assert.equal(covers([], [is('a', '1')]), true);
    assert.equal(covers([is('a', '1')], [is('a', '1'), is('b', '2')]), true);
    assert.equal(covers([is('a', '1'), is('b', '2')], [is('a', '1')]), false);
    assert.equal(covers([isNot('a', '1')], [is('a', '2')]), true);
    assert.equal(covers([isNot('a', '1')], [is('a', '1')]), false);
    assert.equal(covers([is('a', '1')], [isNot('a', '2')]), false);
    assert.equal(covers([isNot('a', '1')], [isNot('a', '1'), isNot('a', '2')]), false, 'every inner tag of the key must be covered');
    assert.equal(covers([is('a', '1')], []), false);
  });

  it('intersects unless two positive tags disagree', () => {
    assert.equal(intersects([], [is('a', '1')]), true);
    assert.equal(intersects([is('a', '1')], [is('b', '2')]), true);
    assert.equal(intersects([is('a', '1')], [is('a', '2')]), false);
    assert.equal(intersects([is('a', '1')], [isNot('a', '1')]), true, 'negations are ignored');
  });

  it('counts positive tags', () => assert.equal(numPositive([is('a', '1'), isNot('b', '2'), is('c', '3')]), 2));

  it('turns from targetRefs into tags', () => {
    assert.deepEqual(subsetOfTargetRef({ kind: 'Mesh' }), []);
    assert.deepEqual(subsetOfTargetRef({ kind: 'MeshSubset', tags: { env: 'dev', team: 'a' } }), [is('env', 'dev'), is('team', 'a')]);
    assert.deepEqual(subsetOfTargetRef({ kind: 'MeshService', name: 'kong' }), [is('kuma.io/service', 'kong')]);
    assert.deepEqual(subsetOfTargetRef({ kind: 'MeshServiceSubset', name: 'kong', tags: { version: 'v2' } }), [
      is('kuma.io/service', 'kong'),
      is('version', 'v2'),
    ]);
    assert.throws(() => subsetOfTargetRef({ kind: 'Dataplane' }), /can't represent Dataplane as tags/);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotCache, versionOf } from '../../../src/xds/cache.js';
import { TYPE_URL } from '../../../src/xds/resources.js';
import { cluster, endpoints, listener, resourceSet } from './fixtures.js';

function recordChanges(cache: SnapshotCache, nodeId: string): Set<string>[] {
  const seen: Set<string>[] = [];
  cache.subscribe(nodeId, (types) => seen.push(types));
  return seen;
}

test('set notifies only the types whose content changed', () => {
  const cache = new SnapshotCache();
  const seen = recordChanges(cache, 'n');
  cache.set('n', resourceSet(cluster('a'), listener('l')));
  assert.deepEqual(seen, [new Set([TYPE_URL.Cluster, TYPE_URL.Listener])]);

  cache.set('n', resourceSet(cluster('a', 'v2'), listener('l')));
  assert.deepEqual(seen[1], new Set([TYPE_URL.Cluster]));

  cache.set('n', resourceSet(cluster('a', 'v2'), cluster('b'), listener('l')));
  assert.deepEqual(seen[2], new Set([TYPE_URL.Cluster]));

  // a type that disappears has changed too
  cache.set('n', resourceSet(cluster('a', 'v2'), cluster('b')));
  assert.deepEqual(seen[3], new Set([TYPE_URL.Listener]));
  assert.equal(seen.length, 4);
});

test('identical content does not notify and keeps versions', () => {
  const cache = new SnapshotCache();
  const seen = recordChanges(cache, 'n');
  cache.set('n', resourceSet(cluster('a'), cluster('b'), listener('l')));
  const before = cache.typeVersion('n', TYPE_URL.Cluster);
  // new objects, same content, other insertion order
  cache.set('n', resourceSet(listener('l'), cluster('b'), cluster('a')));
  assert.equal(seen.length, 1);
  assert.equal(cache.typeVersion('n', TYPE_URL.Cluster), before);
  // an empty type equals an absent one
  const withEmpty = resourceSet(cluster('a'), cluster('b'), listener('l'));
  withEmpty.set(TYPE_URL.Secret, new Map());
  cache.set('n', withEmpty);
  assert.equal(seen.length, 1);
});

test('per-type versions change only with that type', () => {
  const cache = new SnapshotCache();
  cache.set('n', resourceSet(cluster('a'), listener('l')));
  const c1 = cache.typeVersion('n', TYPE_URL.Cluster);
  const l1 = cache.typeVersion('n', TYPE_URL.Listener);
  cache.set('n', resourceSet(cluster('a', 'changed'), listener('l')));
  assert.notEqual(cache.typeVersion('n', TYPE_URL.Cluster), c1);
  assert.equal(cache.typeVersion('n', TYPE_URL.Listener), l1);
  // the version is the hash over (name, version) pairs of the type
  assert.equal(cache.typeVersion('n', TYPE_URL.Cluster), versionOf([cluster('a', 'changed')]));
  assert.equal(cache.typeVersion('n', TYPE_URL.Secret), versionOf([]));
  assert.notEqual(versionOf([cluster('a')]), versionOf([cluster('b')]));
});

test('listeners are per node, can unsubscribe, and a failing one harms nobody', () => {
  const cache = new SnapshotCache();
  const other = recordChanges(cache, 'other');
  cache.subscribe('n', () => {
    throw new Error('listener bug');
  });
  const seen: Set<string>[] = [];
  const unsubscribe = cache.subscribe('n', (t) => seen.push(t));
  cache.set('n', resourceSet(cluster('a')));
  assert.equal(seen.length, 1);
  assert.equal(other.length, 0);
  unsubscribe();
  cache.set('n', resourceSet(cluster('b')));
  assert.equal(seen.length, 1);
  assert.equal(cache.get('n')?.get(TYPE_URL.Cluster)?.has('b'), true);
});

test('the cache keeps its own copy of what was set', () => {
  const cache = new SnapshotCache();
  const set = resourceSet(cluster('a'));
  cache.set('n', set);
  set.get(TYPE_URL.Cluster)!.set('sneaky', cluster('sneaky'));
  set.set(TYPE_URL.ClusterLoadAssignment, new Map([['e', endpoints('e')]]));
  assert.deepEqual([...cache.resourcesOf('n', TYPE_URL.Cluster).keys()], ['a']);
  assert.equal(cache.resourcesOf('n', TYPE_URL.ClusterLoadAssignment).size, 0);
});

test('delete forgets a node without telling its listeners', () => {
  const cache = new SnapshotCache();
  const seen = recordChanges(cache, 'n');
  cache.set('n', resourceSet(cluster('a')));
  cache.delete('n');
  assert.equal(cache.get('n'), undefined);
  assert.equal(cache.resourcesOf('n', TYPE_URL.Cluster).size, 0);
  assert.equal(seen.length, 1);
  // the same content again is new to the cache
  cache.set('n', resourceSet(cluster('a')));
  assert.equal(seen.length, 2);
  // an empty set is stored (the node is known) but changes nothing
  cache.set('m', new Map());
  assert.notEqual(cache.get('m'), undefined);
});

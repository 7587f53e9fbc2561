import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeltaDiscoveryResponse } from '../../../gen/envoy/service/discovery/v3/discovery_pb.js';
import { TYPE_URL } from '../../../src/xds/resources.js';
import { openDelta, type DeltaClient } from '../../helpers/xds-clients.js';
import { cluster, endpoints, listener, namesIn, resourceSet, startAds, type AdsHarness } from './fixtures.js';

let ads: AdsHarness;
const clients: DeltaClient[] = [];
let nodeCounter = 0;

before(async () => {
  ads = await startAds();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await ads.close();
});

function connect(nodeId = `delta-${++nodeCounter}`): { nodeId: string; client: DeltaClient } {
  const client = openDelta(ads.url, nodeId);
  clients.push(client);
  return { nodeId, client };
}

/** name → version of the resources in a delta response, checking each payload's name. */
function versions(res: DeltaDiscoveryResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of res.resources) {
    assert.deepEqual(namesIn([r.resource!]), [r.name]);
    out[r.name] = r.version;
  }
  return out;
}

test('a wildcard subscription starts with every resource and its version', async () => {
  const { nodeId, client } = connect();
  const [a, b] = [cluster('a'), cluster('b')];
  ads.cache.set(nodeId, resourceSet(a, b, listener('l')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  const res = await client.next();
  assert.equal(res.typeUrl, TYPE_URL.Cluster);
  assert.deepEqual(versions(res), { a: a.version, b: b.version });
  assert.deepEqual(res.removedResources, []);
  assert.notEqual(res.nonce, '');
  const open = await ads.recorder.waitFor('open', (e) => e.info.node.id === nodeId);
  assert.equal(open.info.kind, 'delta');
});

test('only added or changed resources are sent; identical content sends nothing', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a'), cluster('b'), listener('l')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  client.ack(await client.next());
  client.request({ typeUrl: TYPE_URL.Listener });
  client.ack(await client.next());

  ads.cache.set(nodeId, resourceSet(cluster('b'), listener('l'), cluster('a')));
  await client.expectNone();

  const [b2, c] = [cluster('b', '2'), cluster('c')];
  ads.cache.set(nodeId, resourceSet(cluster('a'), b2, c, listener('l')));
  const res = await client.next();
  assert.equal(res.typeUrl, TYPE_URL.Cluster);
  assert.deepEqual(versions(res), { b: b2.version, c: c.version });
  await client.expectNone();
});

test('resources that disappear are listed in removed_resources', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a'), cluster('b')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  client.ack(await client.next());
  ads.cache.set(nodeId, resourceSet(cluster('b')));
  const res = await client.next();
  assert.deepEqual(res.resources, []);
  assert.deepEqual(res.removedResources, ['a']);
});

test('ACK and NACK are reported; a rejected version is not offered again', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  const first = await client.next();
  client.ack(first);
  const ack = await ads.recorder.waitFor('ack', (e) => e.info.node.id === nodeId);
  assert.equal(ack.version, first.systemVersionInfo);

  ads.cache.set(nodeId, resourceSet(cluster('a', 'bad')));
  const bad = await client.next();
  client.nack(bad, 'bad cluster');
  const nack = await ads.recorder.waitFor('nack', (e) => e.info.node.id === nodeId);
  assert.equal(nack.errorDetail, 'bad cluster');
  assert.equal(nack.typeUrl, TYPE_URL.Cluster);
  await client.expectNone();

  const fixed = cluster('a', 'fixed');
  ads.cache.set(nodeId, resourceSet(fixed));
  assert.deepEqual(versions(await client.next()), { a: fixed.version });
});

test('named subscribe and unsubscribe; names that do not exist are reported removed', async () => {
  const { nodeId, client } = connect();
  const e1 = endpoints('e1');
  ads.cache.set(nodeId, resourceSet(e1, endpoints('e2')));
  client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNamesSubscribe: ['e1', 'ghost'] });
  const first = await client.next();
  assert.deepEqual(versions(first), { e1: e1.version });
  assert.deepEqual(first.removedResources, ['ghost']);
  client.ack(first);

  // a change to e2 is not for this stream
  ads.cache.set(nodeId, resourceSet(e1, endpoints('e2', 'x')));
  await client.expectNone();

  client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNamesSubscribe: ['e2'], resourceNamesUnsubscribe: ['e1'] });
  const second = await client.next();
  assert.deepEqual(Object.keys(versions(second)), ['e2']);
  assert.deepEqual(second.removedResources, []);
  client.ack(second);

  // e1 was unsubscribed: neither its change nor its removal is sent
  ads.cache.set(nodeId, resourceSet(endpoints('e1', 'y'), endpoints('e2', 'x')));
  await client.expectNone();
  ads.cache.set(nodeId, resourceSet(endpoints('e2', 'x')));
  await client.expectNone();

  // the ghost shows up once it exists
  const ghost = endpoints('ghost');
  ads.cache.set(nodeId, resourceSet(endpoints('e2', 'x'), ghost));
  assert.deepEqual(versions(await client.next()), { ghost: ghost.version });
});

test('unsubscribing from the wildcard stops updates for names not named explicitly', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a'), cluster('b')));
  client.request({ typeUrl: TYPE_URL.Cluster, resourceNamesSubscribe: ['*', 'a'] });
  client.ack(await client.next());
  client.request({ typeUrl: TYPE_URL.Cluster, resourceNamesUnsubscribe: ['*'] });
  // requests are handled in order: once the listeners arrive, the unsubscribe has been seen
  client.request({ typeUrl: TYPE_URL.Listener });
  assert.equal((await client.next()).typeUrl, TYPE_URL.Listener);
  ads.cache.set(nodeId, resourceSet(cluster('a'), cluster('b', '2')));
  await client.expectNone();
  const a2 = cluster('a', '2');
  ads.cache.set(nodeId, resourceSet(a2, cluster('b', '2')));
  assert.deepEqual(versions(await client.next()), { a: a2.version });
});

test('a reconnect with initial_resource_versions gets only what differs', async () => {
  const nodeId = `delta-${++nodeCounter}`;
  const [a, b, c] = [cluster('a'), cluster('b'), cluster('c')];
  ads.cache.set(nodeId, resourceSet(a, b, c));
  const firstStream = connect(nodeId).client;
  firstStream.request({ typeUrl: TYPE_URL.Cluster });
  const held = versions(await firstStream.next());
  await firstStream.close();

  // while the proxy was away: b changed, c went away, d arrived
  const [b2, d] = [cluster('b', '2'), cluster('d')];
  ads.cache.set(nodeId, resourceSet(a, b2, d));
  const { client } = connect(nodeId);
  client.request({ typeUrl: TYPE_URL.Cluster, initialResourceVersions: held });
  const res = await client.next();
  assert.deepEqual(versions(res), { b: b2.version, d: d.version });
  assert.deepEqual(res.removedResources, ['c']);
});

test('a reconnect that is fully up to date still gets an (empty) first response', async () => {
  const nodeId = `delta-${++nodeCounter}`;
  const a = cluster('a');
  ads.cache.set(nodeId, resourceSet(a));
  const { client } = connect(nodeId);
  client.request({ typeUrl: TYPE_URL.Cluster, initialResourceVersions: { a: a.version } });
  const res = await client.next();
  assert.deepEqual(res.resources, []);
  assert.deepEqual(res.removedResources, []);
});

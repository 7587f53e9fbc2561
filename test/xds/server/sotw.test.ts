import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TYPE_URL } from '../../../src/xds/resources.js';
import { openSotw, type SotwClient } from '../../helpers/xds-clients.js';
import { cluster, endpoints, listener, namesIn, resourceSet, route, startAds, type AdsHarness } from './fixtures.js';

let ads: AdsHarness;
const clients: SotwClient[] = [];
let nodeCounter = 0;

before(async () => {
  ads = await startAds();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await ads.close();
});

/** A fresh node id per test so tests never see each other's streams. */
function connect(): { nodeId: string; client: SotwClient } {
  const nodeId = `sotw-${++nodeCounter}`;
  const client = openSotw(ads.url, { id: nodeId, cluster: 'backend' }, { headers: { authorization: 'Bearer t' } });
  clients.push(client);
  return { nodeId, client };
}

test('a new stream is welcomed with the current state of each requested type', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('b'), cluster('a'), listener('l1')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  const cds = await client.next();
  assert.equal(cds.typeUrl, TYPE_URL.Cluster);
  assert.deepEqual(namesIn(cds.resources), ['a', 'b']);
  assert.equal(cds.versionInfo, ads.cache.typeVersion(nodeId, TYPE_URL.Cluster));
  assert.notEqual(cds.nonce, '');

  client.request({ typeUrl: TYPE_URL.Listener });
  const lds = await client.next();
  assert.deepEqual(namesIn(lds.resources), ['l1']);
  assert.notEqual(lds.nonce, cds.nonce);

  const open = await ads.recorder.waitFor('open', (e) => e.info.node.id === nodeId);
  assert.equal(open.info.kind, 'sotw');
  assert.equal(open.info.node.cluster, 'backend');
  assert.equal(open.info.headers.get('authorization'), 'Bearer t');
  const sent = await ads.recorder.waitFor('sent', (e) => e.info.node.id === nodeId && e.typeUrl === TYPE_URL.Listener);
  assert.equal(sent.version, lds.versionInfo);
});

test('a type with nothing in it still gets an (empty) first response', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a')));
  client.request({ typeUrl: TYPE_URL.Secret, resourceNames: ['missing'] });
  const res = await client.next();
  assert.equal(res.typeUrl, TYPE_URL.Secret);
  assert.equal(res.resources.length, 0);
});

test('ACK is reported with its version and nothing is resent', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  const res = await client.next();
  client.ack(res);
  const ack = await ads.recorder.waitFor('ack', (e) => e.info.node.id === nodeId);
  assert.equal(ack.typeUrl, TYPE_URL.Cluster);
  assert.equal(ack.version, res.versionInfo);
  await client.expectNone();
});

test('NACK keeps the last accepted state: reported, not resent until the content changes', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  const good = await client.next();
  client.ack(good);

  ads.cache.set(nodeId, resourceSet(cluster('a', 'bad')));
  const bad = await client.next();
  assert.notEqual(bad.versionInfo, good.versionInfo);
  client.nack(bad, 'cluster a: invalid', good.versionInfo);
  const nack = await ads.recorder.waitFor('nack', (e) => e.info.node.id === nodeId);
  assert.equal(nack.typeUrl, TYPE_URL.Cluster);
  assert.equal(nack.errorDetail, 'cluster a: invalid');
  await client.expectNone();

  // setting the rejected content again is no change
  ads.cache.set(nodeId, resourceSet(cluster('a', 'bad')));
  await client.expectNone();

  ads.cache.set(nodeId, resourceSet(cluster('a', 'fixed')));
  const fixed = await client.next();
  assert.notEqual(fixed.versionInfo, bad.versionInfo);
  client.ack(fixed);
  await ads.recorder.waitFor('ack', (e) => e.info.node.id === nodeId && e.version === fixed.versionInfo);
  // the NACKed version was never reported as accepted
  assert.equal(ads.recorder.of('ack').some((e) => e.info.node.id === nodeId && e.version === bad.versionInfo), false);
});

test('identical content pushes nothing; a change pushes only the changed type', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a'), listener('l')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  client.ack(await client.next());
  client.request({ typeUrl: TYPE_URL.Listener });
  const lds = await client.next();
  client.ack(lds);

  ads.cache.set(nodeId, resourceSet(listener('l'), cluster('a')));
  await client.expectNone();

  ads.cache.set(nodeId, resourceSet(cluster('a'), listener('l', 'new')));
  const pushed = await client.next();
  assert.equal(pushed.typeUrl, TYPE_URL.Listener);
  assert.notEqual(pushed.versionInfo, lds.versionInfo);
  client.ack(pushed);
  await client.expectNone();
});

test('named subscriptions get only the requested names that exist, and only their changes', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(endpoints('e1'), endpoints('e2'), endpoints('e3')));
  client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNames: ['e1', 'e3', 'nope'] });
  const first = await client.next();
  assert.deepEqual(namesIn(first.resources), ['e1', 'e3']);
  client.ack(first);

  // a change to a resource nobody asked for is not this stream's business
  ads.cache.set(nodeId, resourceSet(endpoints('e1'), endpoints('e2', 'x'), endpoints('e3')));
  await client.expectNone();

  ads.cache.set(nodeId, resourceSet(endpoints('e1'), endpoints('e2', 'x'), endpoints('e3', 'y'), endpoints('nope')));
  const second = await client.next();
  assert.deepEqual(namesIn(second.resources), ['e1', 'e3', 'nope']);
});

test('wildcard LDS/CDS responses carry every resource of the type', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a')));
  client.request({ typeUrl: TYPE_URL.Cluster, resourceNames: ['*'] });
  client.ack(await client.next());
  ads.cache.set(nodeId, resourceSet(cluster('a'), cluster('b')));
  const res = await client.next();
  assert.deepEqual(namesIn(res.resources), ['a', 'b']);
  client.ack(res);
  // removal is expressed by leaving the resource out
  ads.cache.set(nodeId, resourceSet(cluster('b')));
  assert.deepEqual(namesIn((await client.next()).resources), ['b']);
});

test('unsubscribing (a request without the name) stops its updates', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(route('r1'), route('r2')));
  client.request({ typeUrl: TYPE_URL.RouteConfiguration, resourceNames: ['r1', 'r2'] });
  const both = await client.next();
  assert.deepEqual(namesIn(both.resources), ['r1', 'r2']);
  client.ack(both, ['r1']);
  // the subscription changed, so the proxy hears the new set
  const onlyR1 = await client.next();
  assert.deepEqual(namesIn(onlyR1.resources), ['r1']);
  client.ack(onlyR1);

  ads.cache.set(nodeId, resourceSet(route('r1'), route('r2', 'changed')));
  await client.expectNone();
  ads.cache.set(nodeId, resourceSet(route('r1', 'changed'), route('r2', 'changed')));
  assert.deepEqual(namesIn((await client.next()).resources), ['r1']);
});

test('several changed types go out clusters, endpoints, listeners, routes', async () => {
  const { nodeId, client } = connect();
  // listed (and requested) routes first, so the order cannot come from the input
  ads.cache.set(nodeId, resourceSet(route('r'), listener('l'), endpoints('c'), cluster('c')));
  client.request({ typeUrl: TYPE_URL.RouteConfiguration, resourceNames: ['r'] });
  client.ack(await client.next());
  client.request({ typeUrl: TYPE_URL.Listener });
  client.ack(await client.next());
  client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNames: ['c'] });
  client.ack(await client.next());
  client.request({ typeUrl: TYPE_URL.Cluster });
  client.ack(await client.next());

  ads.cache.set(nodeId, resourceSet(route('r', '2'), listener('l', '2'), endpoints('c', '2'), cluster('c', '2')));
  const order: string[] = [];
  for (let i = 0; i < 4; i++) order.push((await client.next()).typeUrl);
  assert.deepEqual(order, [TYPE_URL.Cluster, TYPE_URL.ClusterLoadAssignment, TYPE_URL.Listener, TYPE_URL.RouteConfiguration]);
});

test('a request carrying an outdated nonce is ignored', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(endpoints('e1'), endpoints('e2')));
  client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNames: ['e1'] });
  const first = await client.next();
  ads.cache.set(nodeId, resourceSet(endpoints('e1', 'v2'), endpoints('e2')));
  const second = await client.next();

  // an answer to the first response, asking for other names, arrives late
  client.ack(first, ['e2']);
  await client.expectNone();
  assert.equal(ads.recorder.of('ack').some((e) => e.info.node.id === nodeId), false);

  client.ack(second);
  const ack = await ads.recorder.waitFor('ack', (e) => e.info.node.id === nodeId);
  assert.equal(ack.version, second.versionInfo);
});

test('the node from the first request identifies the stream for all later ones', async () => {
  const { nodeId, client } = connect();
  ads.cache.set(nodeId, resourceSet(cluster('a'), listener('l')));
  client.request({ typeUrl: TYPE_URL.Cluster });
  await client.next();
  // later requests carry no node at all, yet are served from this node's resources
  client.request({ typeUrl: TYPE_URL.Listener });
  assert.deepEqual(namesIn((await client.next()).resources), ['l']);
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, ConnectError } from '@connectrpc/connect';
import { TYPE_URL } from '../../../src/xds/resources.js';
import { openDelta, openSotw, type DeltaClient, type SotwClient } from '../../helpers/xds-clients.js';
import { cluster, namesIn, resourceSet, startAds, type AdsHarness } from './fixtures.js';

class Refusal extends Error {
  constructor(
    readonly code: unknown,
    message: string,
  ) {
    super(message);
  }
}

let ads: AdsHarness;
const clients: (SotwClient | DeltaClient)[] = [];

before(async () => {
  ads = await startAds({
    // the control plane's side: decide by node id, and fill the cache before anything is sent
    onStreamOpen: async (info) => {
      const id = info.node.id;
      if (id === 'denied') throw new Refusal('permission_denied', 'token does not allow this proxy');
      if (id === 'anonymous') throw new Refusal('Unauthenticated', 'no token');
      if (id === 'unknown') throw new Refusal(Code.NotFound, 'Dataplane "unknown" not found');
      if (id === 'connect-error') throw new ConnectError('bad metadata', Code.InvalidArgument);
      if (id === 'crash') throw new Error('database is down');
      if (id === 'odd-code') throw new Refusal('ENOENT', 'some file missing');
      if (id.startsWith('filled-')) ads.cache.set(id, resourceSet(cluster(`for-${id}`)));
    },
  });
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await ads.close();
});

const refusals: [string, Code, string][] = [
  ['denied', Code.PermissionDenied, 'token does not allow this proxy'],
  ['anonymous', Code.Unauthenticated, 'no token'],
  ['unknown', Code.NotFound, 'Dataplane "unknown" not found'],
  ['connect-error', Code.InvalidArgument, 'bad metadata'],
  ['crash', Code.Internal, 'database is down'],
  ['odd-code', Code.Internal, 'some file missing'],
];

for (const [nodeId, code, message] of refusals) {
  test(`a refusal in onStreamOpen ends the stream with ${Code[code]} (${nodeId})`, async () => {
    for (const open of [openSotw, openDelta]) {
      const client = open(ads.url, nodeId);
      clients.push(client);
      client.request({ typeUrl: TYPE_URL.Cluster });
      const ended = await client.ended;
      assert.ok(ended, 'stream should end with an error');
      assert.equal(ended.code, code);
      assert.equal(ended.rawMessage, message);
    }
    // a refused stream was never open, so it is not closed either
    assert.equal(ads.recorder.of('close').some((e) => e.info.node.id === nodeId), false);
  });
}

test('what onStreamOpen puts in the cache is what the first response carries', async () => {
  for (const open of [openSotw, openDelta]) {
    const nodeId = `filled-${open.name}`;
    const client = open(ads.url, nodeId);
    clients.push(client);
    client.request({ typeUrl: TYPE_URL.Cluster });
    const res = await client.next();
    const names = 'versionInfo' in res ? namesIn(res.resources) : res.resources.map((r) => r.name);
    assert.deepEqual(names, [`for-${nodeId}`]);
  }
});

test('onStreamClose follows a client going away, with the same stream info', async () => {
  const client = openSotw(ads.url, 'filled-leaving');
  client.request({ typeUrl: TYPE_URL.Cluster });
  await client.next();
  const open = await ads.recorder.waitFor('open', (e) => e.info.node.id === 'filled-leaving');
  await client.close();
  const closed = await ads.recorder.waitFor('close', (e) => e.info.node.id === 'filled-leaving');
  assert.equal(closed.info.streamId, open.info.streamId);
  // no longer watching the cache: changes for the node reach nobody and nothing breaks
  ads.cache.set('filled-leaving', resourceSet(cluster('later')));
  assert.equal(ads.recorder.of('sent').filter((e) => e.info.streamId === open.info.streamId).length, 1);
});

test('each stream gets its own id', async () => {
  const a = openSotw(ads.url, 'filled-twice');
  const b = openDelta(ads.url, 'filled-twice');
  clients.push(a, b);
  a.request({ typeUrl: TYPE_URL.Cluster });
  b.request({ typeUrl: TYPE_URL.Cluster });
  await Promise.all([a.next(), b.next()]);
  const ids = new Set(ads.recorder.of('open').filter((e) => e.info.node.id === 'filled-twice').map((e) => e.info.streamId));
  assert.equal(ids.size, 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { create, toBinary } from '@bufbuild/protobuf';
import { DiscoveryRequestSchema } from '../../../gen/envoy/service/discovery/v3/discovery_pb.js';
import { TYPE_URL } from '../../../src/xds/resources.js';
import { openSotw } from '../../helpers/xds-clients.js';
import { cluster, namesIn, resourceSet, startAds } from './fixtures.js';

/** Opens a SotW stream with raw HTTP/2, sends one request and then never reads a byte. */
function openNonReadingStream(url: string, nodeId: string): { session: http2.ClientHttp2Session } {
  const session = http2.connect(url);
  session.on('error', () => {});
  const stream = session.request({
    ':method': 'POST',
    ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
    'content-type': 'application/grpc+proto',
    te: 'trailers',
  });
  stream.on('error', () => {});
  const body = toBinary(DiscoveryRequestSchema, create(DiscoveryRequestSchema, { node: { id: nodeId }, typeUrl: TYPE_URL.Cluster }));
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, 5);
  stream.write(frame);
  stream.pause();
  return { session };
}

test('a proxy that stops reading delays neither the cache writer nor other streams', async () => {
  const ads = await startAds();
  const nodeId = 'shared-node';
  // several times what HTTP/2 flow control (64 KiB windows) lets through to a proxy that never reads
  const big = (tag: string) => Array.from({ length: 8 }, (_, i) => cluster(`big-${i}`, tag + 'x'.repeat(32 * 1024)));
  ads.cache.set(nodeId, resourceSet(...big('1')));

  const slow = openNonReadingStream(ads.url, nodeId);
  const fast = openSotw(ads.url, nodeId);
  try {
    const slowOpen = await ads.recorder.waitFor('open', (e) => e.info.node.id === nodeId);
    fast.request({ typeUrl: TYPE_URL.Cluster });
    const first = await fast.next(10_000);
    fast.ack(first);
    await ads.recorder.waitFor('ack', (e) => e.info.node.id === nodeId);

    for (let round = 2; round <= 4; round++) {
      const next = resourceSet(...big(String(round)), cluster(`marker-${round}`));
      const started = performance.now();
      ads.cache.set(nodeId, next);
      const setMs = performance.now() - started;
      const pushed = await fast.next(10_000);
      const pushMs = performance.now() - started;
      assert.ok(namesIn(pushed.resources).includes(`marker-${round}`));
      fast.ack(pushed);
      assert.ok(setMs < 50, `cache.set took ${setMs.toFixed(1)} ms`);
      // generous for a loaded machine; a stream waiting on the stuck one would wait forever
      assert.ok(pushMs < 2000, `push to the reading proxy took ${pushMs.toFixed(1)} ms`);
    }
    // the slow stream really is stuck: its first response never finished sending
    assert.equal(ads.recorder.of('sent').some((e) => e.info.streamId === slowOpen.info.streamId), false);

    // when the stuck proxy goes away, its stream is closed even though a write was pending
    slow.session.destroy();
    await ads.recorder.waitFor('close', (e) => e.info.streamId === slowOpen.info.streamId);
  } finally {
    slow.session.destroy();
    await fast.close();
    await ads.close();
  }
});

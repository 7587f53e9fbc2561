// A second, independent gRPC stack (@grpc/grpc-js, what @grpc/grpc-js-xds is built on) against the DP server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  DeltaDiscoveryRequestSchema,
  DeltaDiscoveryResponseSchema,
  DiscoveryRequestSchema,
  DiscoveryResponseSchema,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from '../../../gen/envoy/service/discovery/v3/discovery_pb.js';
import { generateSelfSignedCert } from '../../../src/dp/tls.js';
import { TYPE_URL } from '../../../src/xds/resources.js';
import { cluster, namesIn, resourceSet, startAds } from './fixtures.js';

const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService/';

function nextMessage<T>(call: grpc.ClientDuplexStream<never, T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no response')), 5000);
    call.once('data', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
}

for (const mode of ['plaintext', 'tls'] as const) {
  test(`${mode}: @grpc/grpc-js speaks SotW and Delta ADS with the server`, async () => {
    const tls = mode === 'tls' ? await generateSelfSignedCert({ hosts: [] }) : undefined;
    const ads = await startAds({ tls });
    const creds = tls ? grpc.credentials.createSsl(Buffer.from(ads.server.caPem!)) : grpc.credentials.createInsecure();
    const client = new grpc.Client(`127.0.0.1:${ads.server.port}`, creds);
    try {
      ads.cache.set('grpc-js', resourceSet(cluster('a'), cluster('b')));
      const metadata = new grpc.Metadata();
      metadata.set('authorization', 'token-123');

      const sotw = client.makeBidiStreamRequest(
        `${ADS}StreamAggregatedResources`,
        (m: DiscoveryRequest) => Buffer.from(toBinary(DiscoveryRequestSchema, m)),
        (b: Buffer) => fromBinary(DiscoveryResponseSchema, b),
        metadata,
      );
      sotw.on('error', () => {});
      sotw.write(create(DiscoveryRequestSchema, { node: { id: 'grpc-js' }, typeUrl: TYPE_URL.Cluster }));
      const res: DiscoveryResponse = await nextMessage(sotw);
      assert.deepEqual(namesIn(res.resources), ['a', 'b']);
      sotw.write(create(DiscoveryRequestSchema, { typeUrl: TYPE_URL.Cluster, versionInfo: res.versionInfo, responseNonce: res.nonce }));
      const ack = await ads.recorder.waitFor('ack', (e) => e.info.kind === 'sotw');
      assert.equal(ack.version, res.versionInfo);
      assert.equal(ack.info.headers.get('authorization'), 'token-123');

      const delta = client.makeBidiStreamRequest(
        `${ADS}DeltaAggregatedResources`,
        (m: DeltaDiscoveryRequest) => Buffer.from(toBinary(DeltaDiscoveryRequestSchema, m)),
        (b: Buffer) => fromBinary(DeltaDiscoveryResponseSchema, b),
      );
      delta.on('error', () => {});
      delta.write(create(DeltaDiscoveryRequestSchema, { node: { id: 'grpc-js' }, typeUrl: TYPE_URL.Cluster }));
      const dres: DeltaDiscoveryResponse = await nextMessage(delta);
      assert.deepEqual(dres.resources.map((r) => r.name), ['a', 'b']);

      // a push reaches both streams
      ads.cache.set('grpc-js', resourceSet(cluster('a')));
      const [pushed, dpushed] = await Promise.all([nextMessage(sotw), nextMessage(delta)]);
      assert.deepEqual(namesIn(pushed.resources), ['a']);
      assert.deepEqual(dpushed.removedResources, ['b']);

      sotw.end();
      delta.end();
      await ads.recorder.waitFor('close', (e) => e.info.kind === 'delta');
    } finally {
      client.close();
      await ads.close();
    }
  });
}

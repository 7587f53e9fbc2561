import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create, toBinary } from '@bufbuild/protobuf';
import { HttpConnectionManagerSchema } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { TcpProxySchema } from '../../../gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy_pb.js';
import { encodeOutboundRouteHcm, encodeTcpProxy, type OutboundRouteNames } from '../../../src/xds/generate/outbound-filter-encoding.js';

// Built with protobuf-es's own create() and toBinary(), independently of the generator's factories.
function reference(n: OutboundRouteNames): Uint8Array {
  return toBinary(
    HttpConnectionManagerSchema,
    create(HttpConnectionManagerSchema, {
      statPrefix: n.statPrefix,
      routeSpecifier: {
        case: 'routeConfig',
        value: {
          name: n.routeConfigName,
          validateClusters: false,
          virtualHosts: [
            {
              name: n.virtualHostName,
              domains: ['*'],
              routes: [
                {
                  name: n.routeName,
                  match: { pathSpecifier: { case: 'prefix', value: '/' } },
                  action: { case: 'route', value: { clusterSpecifier: { case: 'cluster', value: n.cluster }, timeout: { seconds: 0n } } },
                },
              ],
            },
          ],
        },
      },
    }),
  );
}

const NAMES: OutboundRouteNames[] = [
  { statPrefix: 'backend', routeConfigName: 'outbound:backend', virtualHostName: 'backend', routeName: 'r', cluster: 'backend' },
  { statPrefix: 'a_b', routeConfigName: 'outbound:a.b', virtualHostName: 'a.b', routeName: '9Zuf5Tg79OuZcQITwBbQykxAk2u4fRKrwYn3//AL4Yo=', cluster: 'a.b-c72efb5be46fae6b' },
  { statPrefix: 'ünï', routeConfigName: 'outbound:ünï😀', virtualHostName: 'ünï😀', routeName: '', cluster: 'x'.repeat(300) },
];

describe('hand-written filter encodings', () => {
  it('the outbound HCM route part is byte-identical to toBinary of the same message', () => {
    for (const names of NAMES) assert.deepEqual(encodeOutboundRouteHcm(names), reference(names), names.virtualHostName);
  });

  it('tcp_proxy is byte-identical to toBinary of the same message', () => {
    for (const [statPrefix, cluster] of [['backend', 'backend'], ['ünï', 'y'.repeat(200)], ['', '']]) {
      const expected = toBinary(TcpProxySchema, create(TcpProxySchema, { statPrefix, clusterSpecifier: { case: 'cluster', value: cluster } }));
      assert.deepEqual(encodeTcpProxy(statPrefix, cluster), expected);
    }
  });
});

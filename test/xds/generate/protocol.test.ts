import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commonProtocol, inferServiceProtocol, parseProtocol } from '../../../src/xds/generate/protocol.js';
import { buildEndpointIndex, generateEnvoyConfig } from '../../../src/xds/generate/index.js';
import { dataplane, endpointDataplane, mesh, proxyOf, renderConfig } from './fixtures.js';

describe('protocol', () => {
  it('parses case-insensitively; anything else is unknown', () => {
    assert.equal(parseProtocol('HTTP'), 'http');
    assert.equal(parseProtocol('grpc'), 'grpc');
    assert.equal(parseProtocol('mongo'), '<unknown>');
    assert.equal(parseProtocol(undefined), '<unknown>');
  });

  it('finds the common protocol as GetCommonProtocol does', () => {
    const cases: [string, string, string][] = [
      ['http', 'http', 'http'],
      ['grpc', 'http2', 'http2'],
      ['http2', 'grpc', 'http2'],
      ['http', 'http2', 'tcp'],
      ['grpc', 'http', 'tcp'],
      ['kafka', 'tcp', 'tcp'],
      ['tls', 'http', 'tcp'],
      ['http', 'mysql', '<unknown>'],
      ['mysql', 'mysql', 'mysql'],
      ['http', '<unknown>', '<unknown>'],
    ];
    for (const [a, b, expected] of cases) {
      assert.equal(commonProtocol(parseProtocol(a), parseProtocol(b)), expected, `${a} + ${b}`);
    }
  });

  it('infers a service protocol from all its endpoints; a missing tag makes it unknown', () => {
    assert.equal(inferServiceProtocol(['http', 'HTTP']), 'http');
    assert.equal(inferServiceProtocol(['grpc', 'grpc', 'http2']), 'http2');
    assert.equal(inferServiceProtocol(['http', undefined]), '<unknown>');
    assert.equal(inferServiceProtocol([]), '<unknown>');
  });
});

describe('outbound listener by service protocol', () => {
  function outboundFilters(endpointProtocols: (string | undefined)[]): string[] {
    const client = dataplane('client', {
      networking: { address: '10.0.0.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'client' } }], outbound: [{ port: 9000, tags: { 'kuma.io/service': 'api' } }] },
    });
    const endpoints = endpointProtocols.map((protocol, i) =>
      endpointDataplane(`api-${i}`, `10.0.1.${i + 1}`, 8080, protocol ? { 'kuma.io/service': 'api', 'kuma.io/protocol': protocol } : { 'kuma.io/service': 'api' }),
    );
    const snapshot = { mesh: mesh('default'), dataplanes: [client, ...endpoints] };
    const listener = renderConfig(generateEnvoyConfig(snapshot, proxyOf(client))).listeners.get('outbound:127.0.0.1:9000');
    const filter = listener.filterChains[0].filters?.[0];
    if (!filter) return [];
    const names = [filter.name];
    if (filter.typedConfig.httpFilters) names.push(...filter.typedConfig.httpFilters.map((f: any) => f.name));
    return names;
  }

  const HCM = 'envoy.filters.network.http_connection_manager';
  const TCP = 'envoy.filters.network.tcp_proxy';
  const ROUTER = 'envoy.filters.http.router';

  it('http, http2 and grpc services get an HTTP connection manager (grpc with grpc_stats)', () => {
    assert.deepEqual(outboundFilters(['http', 'http']), [HCM, ROUTER]);
    assert.deepEqual(outboundFilters(['http2']), [HCM, ROUTER]);
    assert.deepEqual(outboundFilters(['grpc', 'grpc']), [HCM, 'envoy.filters.http.grpc_stats', ROUTER]);
  });

  it('mixed, untagged or endpoint-less services get tcp_proxy', () => {
    assert.deepEqual(outboundFilters(['http', 'tcp']), [TCP]);
    assert.deepEqual(outboundFilters(['http', undefined]), [TCP]);
    assert.deepEqual(outboundFilters([]), [TCP]);
    assert.deepEqual(outboundFilters(['kafka']), [TCP]);
  });

  it('tls and mysql services get a listener without filters and no cluster, as in Kuma', () => {
    assert.deepEqual(outboundFilters(['tls']), []);
    const client = dataplane('client', { networking: { address: '10.0.0.1', gateway: {}, outbound: [{ port: 9000, tags: { 'kuma.io/service': 'db' } }] } });
    const snapshot = { mesh: mesh('default'), dataplanes: [client, endpointDataplane('db-1', '10.0.1.1', 3306, { 'kuma.io/service': 'db', 'kuma.io/protocol': 'mysql' })] };
    const config = generateEnvoyConfig(snapshot, proxyOf(client), buildEndpointIndex(snapshot));
    assert.deepEqual(config.clusters.map((c) => c.name), []);
    assert.deepEqual(config.listeners.map((l) => l.name), ['outbound:127.0.0.1:9000']);
  });
});

describe('inbound listener by inbound protocol', () => {
  function inboundFilter(inbound: Record<string, unknown>): string {
    const dp = dataplane('dp', { networking: { address: '10.0.0.1', inbound: [{ port: 80, ...inbound }] } });
    const listener = renderConfig(generateEnvoyConfig({ mesh: mesh('default'), dataplanes: [dp] }, proxyOf(dp))).listeners.get('inbound:10.0.0.1:80');
    return listener.filterChains[0].filters[0].name;
  }

  it('uses the protocol field, else the kuma.io/protocol tag, else TCP', () => {
    assert.equal(inboundFilter({ tags: { 'kuma.io/service': 'a', 'kuma.io/protocol': 'http' } }), 'envoy.filters.network.http_connection_manager');
    assert.equal(inboundFilter({ protocol: 'tcp', tags: { 'kuma.io/service': 'a', 'kuma.io/protocol': 'http' } }), 'envoy.filters.network.tcp_proxy');
    assert.equal(inboundFilter({ protocol: 'grpc', tags: { 'kuma.io/service': 'a' } }), 'envoy.filters.network.http_connection_manager');
    assert.equal(inboundFilter({ tags: { 'kuma.io/service': 'a' } }), 'envoy.filters.network.tcp_proxy');
    assert.equal(inboundFilter({ tags: { 'kuma.io/service': 'a', 'kuma.io/protocol': 'tls' } }), 'envoy.filters.network.tcp_proxy');
  });
});

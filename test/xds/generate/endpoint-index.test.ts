import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildEndpointIndex } from '../../../src/xds/generate/index.js';
import { dataplane, endpointDataplane, mesh } from './fixtures.js';

const svc = (service: string, extra: Record<string, string> = {}) => ({ 'kuma.io/service': service, ...extra });

function addresses(index: ReturnType<typeof buildEndpointIndex>, service: string): string[] {
  return (index.services.get(service)?.endpoints ?? []).map((e) => `${e.address}:${e.port}`);
}

describe('endpoint index', () => {
  it('keeps only healthy inbounds: not NotReady/Ignored, and a health block must say ready', () => {
    const index = buildEndpointIndex({
      mesh: mesh('default'),
      dataplanes: [
        endpointDataplane('ok', '10.0.0.1', 80, svc('web')),
        endpointDataplane('ready', '10.0.0.2', 80, svc('web'), { health: { ready: true } }),
        endpointDataplane('not-ready', '10.0.0.3', 80, svc('web'), { health: { ready: false } }),
        endpointDataplane('empty-health', '10.0.0.4', 80, svc('web'), { health: {} }),
        endpointDataplane('state-not-ready', '10.0.0.5', 80, svc('web'), { state: 'NotReady' }),
        endpointDataplane('state-ignored', '10.0.0.6', 80, svc('web'), { state: 'Ignored' }),
        endpointDataplane('state-ready', '10.0.0.7', 80, svc('web'), { state: 'Ready', health: { ready: true } }),
      ],
    });
    assert.deepEqual(addresses(index, 'web'), ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.7:80']);
  });

  it('never makes a gateway an endpoint, even of its own service', () => {
    const index = buildEndpointIndex({
      mesh: mesh('default'),
      dataplanes: [
        dataplane('gw', { networking: { address: '10.0.0.9', gateway: { tags: svc('edge') }, outbound: [{ port: 1, tags: svc('web') }] } }),
        endpointDataplane('web', '10.0.0.1', 80, svc('web')),
      ],
    });
    assert.deepEqual([...index.services.keys()], ['web']);
  });

  it("includes a sidecar's own inbounds, at the advertised address and the inbound port", () => {
    const index = buildEndpointIndex({
      mesh: mesh('default'),
      dataplanes: [
        dataplane('web-1', {
          networking: {
            address: '10.0.0.1',
            advertisedAddress: '203.0.113.7',
            inbound: [
              { port: 80, servicePort: 8080, tags: svc('web') },
              { port: 81, address: '10.0.0.2', tags: svc('admin') },
            ],
            outbound: [{ port: 9000, tags: svc('web') }],
          },
        }),
      ],
    });
    assert.deepEqual(addresses(index, 'web'), ['203.0.113.7:80']);
    assert.deepEqual(addresses(index, 'admin'), ['203.0.113.7:81']);
  });

  it('takes the locality from the kuma.io/zone tag, else the zone label; a foreign zone is remote only under locality-aware LB', () => {
    const dataplanes = [
      endpointDataplane('a', '10.0.0.1', 80, svc('web', { 'kuma.io/zone': 'east' })),
      dataplane('b', { networking: { address: '10.0.0.2', inbound: [{ port: 80, tags: svc('web') }] } }, { labels: { 'kuma.io/zone': 'west' } }),
      endpointDataplane('c', '10.0.0.3', 80, svc('web')),
    ];
    const plain = buildEndpointIndex({ mesh: mesh('default'), dataplanes, zone: 'east' });
    assert.deepEqual(
      plain.services.get('web')!.endpoints.map((e) => e.locality),
      [{ zone: 'east', priority: 0 }, { zone: 'west', priority: 0 }, undefined],
    );
    const aware = buildEndpointIndex({ mesh: mesh('default', { routing: { localityAwareLoadBalancing: true } }), dataplanes, zone: 'east' });
    assert.deepEqual(
      aware.services.get('web')!.endpoints.map((e) => e.locality),
      [{ zone: 'east', priority: 0 }, { zone: 'west', priority: 1 }, undefined],
    );
  });

  it('orders endpoints by address and port, whatever the Dataplane order', () => {
    const dps = [
      endpointDataplane('c', '10.0.0.2', 81, svc('web')),
      endpointDataplane('a', '10.0.0.10', 80, svc('web')),
      endpointDataplane('b', '10.0.0.2', 80, svc('web')),
    ];
    const forward = buildEndpointIndex({ mesh: mesh('default'), dataplanes: dps });
    const backward = buildEndpointIndex({ mesh: mesh('default'), dataplanes: [...dps].reverse() });
    assert.deepEqual(addresses(forward, 'web'), ['10.0.0.10:80', '10.0.0.2:80', '10.0.0.2:81']);
    assert.deepEqual(addresses(backward, 'web'), addresses(forward, 'web'));
  });

  it("records each service's common protocol", () => {
    const index = buildEndpointIndex({
      mesh: mesh('default'),
      dataplanes: [
        endpointDataplane('a', '10.0.0.1', 80, svc('web', { 'kuma.io/protocol': 'grpc' })),
        endpointDataplane('b', '10.0.0.2', 80, svc('web', { 'kuma.io/protocol': 'http2' })),
        endpointDataplane('c', '10.0.0.3', 80, svc('db')),
      ],
    });
    assert.equal(index.services.get('web')!.protocol, 'http2');
    assert.equal(index.services.get('db')!.protocol, '<unknown>');
  });
});

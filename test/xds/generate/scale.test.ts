/** A delegated gateway with 10,000 outbound services of 2 endpoints each: every resource is generated (timings live in `npm run bench`). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../../src/core/resource.js';
import { buildEndpointIndex, generateEnvoyConfig, type MeshSnapshot } from '../../../src/xds/generate/index.js';
import { dataplane, mesh, proxyOf } from './fixtures.js';

const SERVICES = 10_000;

function gatewaySnapshot(protocol: string): { snapshot: MeshSnapshot; gateway: Resource } {
  const dataplanes: Resource[] = [];
  const outbound = [];
  for (let i = 0; i < SERVICES; i++) {
    const service = `svc-${i}`;
    for (let j = 0; j < 2; j++) {
      dataplanes.push(
        dataplane(`${service}-${j}`, {
          networking: { address: `10.${(i >> 8) & 255}.${i & 255}.${j + 1}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': service, 'kuma.io/protocol': protocol } }] },
        }),
      );
    }
    outbound.push({ port: 20000 + i, tags: { 'kuma.io/service': service } });
  }
  const gateway = dataplane('gateway', { networking: { address: '10.255.255.1', gateway: { tags: { 'kuma.io/service': 'edge' } }, outbound } });
  return { snapshot: { mesh: mesh('default'), dataplanes: [gateway, ...dataplanes] }, gateway };
}

for (const protocol of ['http', 'tcp']) {
  describe(`10,000 ${protocol} outbound services on a delegated gateway`, () => {
    const { snapshot, gateway } = gatewaySnapshot(protocol);
    const proxy = proxyOf(gateway, { adminPort: 9901 });

    it('generates every resource', () => {
      const config = generateEnvoyConfig(snapshot, proxy, buildEndpointIndex(snapshot));
      assert.equal(config.listeners.length, SERVICES + 1);
      assert.equal(config.clusters.length, SERVICES + 2);
      assert.equal(config.endpoints.length, SERVICES);
    });

  });
}

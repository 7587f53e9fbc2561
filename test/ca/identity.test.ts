import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { identityTags } from '../../src/ca/identity.js';

describe('identity tags', () => {
  it('of a sidecar: every inbound tag, values merged and sorted, keys sorted', () => {
    const spec = {
      networking: {
        address: '10.0.0.1',
        inbound: [
          { port: 8080, tags: { 'kuma.io/service': 'web', version: 'v2', 'kuma.io/protocol': 'http' } },
          { port: 9090, tags: { 'kuma.io/service': 'admin', version: 'v1' } },
          { port: 9091, tags: { 'kuma.io/service': 'web', version: 'v1' } },
        ],
        outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }],
      },
    };
    const tags = identityTags(spec);
    assert.deepEqual(tags, {
      'kuma.io/protocol': ['http'],
      'kuma.io/service': ['admin', 'web'],
      version: ['v1', 'v2'],
    });
    assert.deepEqual(Object.keys(tags), ['kuma.io/protocol', 'kuma.io/service', 'version']);
  });

  it('of a delegated gateway: its gateway tags, so its identity is the gateway service', () => {
    const spec = {
      networking: {
        address: '10.0.0.2',
        gateway: { tags: { 'kuma.io/service': 'kong', 'kuma.io/zone': 'zone-1' } },
        outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }],
      },
    };
    assert.deepEqual(identityTags(spec), { 'kuma.io/service': ['kong'], 'kuma.io/zone': ['zone-1'] });
  });

  it('falls back to the kuma.io/workload label when there is no service tag', () => {
    const spec = { networking: { address: '10.0.0.3', inbound: [{ port: 8080, tags: { app: 'x' } }] } };
    assert.deepEqual(identityTags(spec, { name: 'dp-1', labels: { 'kuma.io/workload': 'wl' } }), { 'kuma.io/service': ['wl'] });
  });

  it('fails as Kuma does without service tag or workload label', () => {
    const spec = { networking: { address: '10.0.0.3', inbound: [{ port: 8080, tags: { app: 'x' } }] } };
    assert.throws(() => identityTags(spec, { name: 'dp-1', labels: {} }), {
      message: 'dataplane "dp-1" has no kuma.io/service tag and no kuma.io/workload label, cannot derive mTLS identity',
    });
  });
});

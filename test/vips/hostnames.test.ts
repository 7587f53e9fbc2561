import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dnsRecordsFor, vipHostnames } from '../../src/vips/index.js';

describe('vipHostnames', () => {
  it('gives <service>.mesh for a plain service', () => {
    assert.deepEqual(vipHostnames('backend'), ['backend.mesh']);
  });

  it('adds the variant with every _ replaced by .', () => {
    assert.deepEqual(vipHostnames('backend_test-ns_svc_8080'), ['backend_test-ns_svc_8080.mesh', 'backend.test-ns.svc.8080.mesh']);
  });

  it('uses the configured domain', () => {
    assert.deepEqual(vipHostnames('a_b', 'internal'), ['a_b.internal', 'a.b.internal']);
  });
});

describe('dnsRecordsFor', () => {
  it('gives one record per hostname, sorted by name', () => {
    const vips = new Map([
      ['web', '240.0.0.1'],
      ['backend_ns', '240.0.0.0'],
    ]);
    assert.deepEqual(dnsRecordsFor(vips), [
      { name: 'backend.ns.mesh', ips: ['240.0.0.0'] },
      { name: 'backend_ns.mesh', ips: ['240.0.0.0'] },
      { name: 'web.mesh', ips: ['240.0.0.1'] },
    ]);
  });

  it('lets the later service in name order win a shared name, as Kuma does', () => {
    const vips = new Map([
      ['a_b', '240.0.0.1'],
      ['a.b', '240.0.0.0'],
    ]);
    assert.deepEqual(dnsRecordsFor(vips, 'svc'), [
      { name: 'a.b.svc', ips: ['240.0.0.1'] },
      { name: 'a_b.svc', ips: ['240.0.0.1'] },
    ]);
  });

  it('is empty for an empty table', () => {
    assert.deepEqual(dnsRecordsFor(new Map()), []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyRole } from '../../src/core/policy-role.js';

const shop = { name: 'shop', system: false };
const to = (...refs: Record<string, string>[]) => ({ to: refs.map((targetRef) => ({ targetRef, default: {} })) });

describe("policyRole (Kuma's kuma.io/policy-role)", () => {
  it('is system without a namespace or in the system namespace', () => {
    assert.equal(policyRole(to({ kind: 'Mesh' }), undefined), 'system');
    assert.equal(policyRole(to({ kind: 'Mesh' }), { name: 'kuma-system', system: true }), 'system');
  });

  it('is workload-owner for from-only and single-item policies', () => {
    assert.equal(policyRole({ from: [{ targetRef: { kind: 'Mesh' } }] }, shop), 'workload-owner');
    assert.equal(policyRole({ targetRef: { kind: 'Mesh' }, default: {} }, shop), 'workload-owner');
  });

  it('is producer when every to item names a MeshService or MeshHTTPRoute of its own namespace', () => {
    assert.equal(policyRole(to({ kind: 'MeshService', name: 'backend' }, { kind: 'MeshHTTPRoute', name: 'r', namespace: 'shop' }), shop), 'producer');
  });

  it('is consumer when no to item does', () => {
    assert.equal(policyRole(to({ kind: 'Mesh' }, { kind: 'MeshService', name: 'backend', namespace: 'other' }), shop), 'consumer');
    assert.equal(policyRole(to({ kind: 'MeshService', labels: 'x' } as never), shop), 'consumer');
  });

  it('refuses mixing directions or producer and consumer items', () => {
    assert.throws(() => policyRole({ ...to({ kind: 'Mesh' }), from: [{ targetRef: { kind: 'Mesh' } }] }, shop), {
      message: "it's not allowed to mix 'to' and 'from' arrays in the same policy",
    });
    assert.throws(() => policyRole(to({ kind: 'MeshService', name: 'backend' }, { kind: 'Mesh' }), shop), {
      message: "it's not allowed to mix producer and consumer items in the same policy",
    });
  });
});

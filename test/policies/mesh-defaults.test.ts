import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultResourcesFor } from '../../src/core/mesh-defaults.js';
import { normaliseMeshTrafficPermission, validateMeshTrafficPermission } from '../../src/resources/mesh-traffic-permission.js';

describe('default policies of a new mesh', () => {
  it('allow-all-<mesh>: the whole mesh may reach the whole mesh', () => {
    const defaults = defaultResourcesFor('payments', {});
    assert.deepEqual(defaults, [
      {
        type: 'MeshTrafficPermission',
        name: 'allow-all-payments',
        spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] },
        labels: {},
      },
    ]);
    assert.deepEqual(validateMeshTrafficPermission(defaults[0].spec), []);
    assert.deepEqual(normaliseMeshTrafficPermission(defaults[0].spec), defaults[0].spec, 'already in stored form');
  });

  it('skipCreatingInitialPolicies: "*" or the type name skips it; other names do not', () => {
    assert.deepEqual(defaultResourcesFor('m', { skipCreatingInitialPolicies: ['*'] }), []);
    assert.deepEqual(defaultResourcesFor('m', { skipCreatingInitialPolicies: ['MeshTrafficPermission'] }), []);
    assert.equal(defaultResourcesFor('m', { skipCreatingInitialPolicies: ['MeshTimeout'] }).length, 1);
  });

  it('each call builds fresh specs', () => {
    const a = defaultResourcesFor('m', {});
    (a[0].spec.from as unknown[]).length = 0;
    assert.equal((defaultResourcesFor('m', {})[0].spec.from as unknown[]).length, 1);
  });
});

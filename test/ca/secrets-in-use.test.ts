import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResourceManager } from '../../src/core/manager.js';
import { ValidationError } from '../../src/core/validation.js';
import { secretDeletionCheck, secretDeletionViolations } from '../../src/ca/secrets-in-use.js';
import { createRegistry } from '../../src/resources/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Resource } from '../../src/core/resource.js';

const mesh = (backends: unknown[]): Resource =>
  ({ meta: { name: 'demo', mesh: '', labels: {}, version: '1' }, spec: { mtls: { enabledBackend: 'ca-1', backends } } }) as unknown as Resource;

describe('secrets a CA backend uses', () => {
  it("refuses deleting the builtin CA's cert or key with Kuma's message, and names each backend", () => {
    const violations = secretDeletionViolations('demo.ca-builtin-cert-ca-1', mesh([{ name: 'ca-1', type: 'builtin' }]));
    assert.deepEqual(violations, [
      {
        field: 'name',
        message:
          'The secret "demo.ca-builtin-cert-ca-1" that you are trying to remove is currently in use in Mesh "demo" in mTLS backend "ca-1". Please remove the reference from the "ca-1" backend before removing the secret.',
      },
    ]);
    assert.equal(secretDeletionViolations('demo.ca-builtin-key-ca-1', mesh([{ name: 'ca-1', type: 'builtin' }])).length, 1);
  });

  it("refuses deleting a provided CA's secret data sources, allows anything else or once the Mesh is gone", () => {
    const provided = mesh([{ name: 'ca-2', type: 'provided', conf: { cert: { secret: 'my-cert' }, key: { inline: 'eA==' } } }]);
    assert.equal(secretDeletionViolations('my-cert', provided).length, 1);
    assert.deepEqual(secretDeletionViolations('my-key', provided), []);
    assert.deepEqual(secretDeletionViolations('other', mesh([{ name: 'ca-1', type: 'builtin' }])), []);
    assert.deepEqual(secretDeletionViolations('demo.ca-builtin-cert-ca-1', undefined), []);
  });

  it('is what the resource manager asks before deleting a Secret', async () => {
    const store = new MemoryStore();
    const registry = createRegistry();
    const manager = new ResourceManager(store, registry, {
      zone: 'default',
      env: 'universal',
      validateDeleteWithStore: (type, key) => secretDeletionCheck(store, type, key),
    });
    await manager.create(registry.mustGet('Mesh'), { mesh: '', name: 'demo' }, { labels: {}, spec: {} });
    await store.update('Mesh', { mesh: '', name: 'demo', version: (await store.get('Mesh', { mesh: '', name: 'demo' }))!.meta.version, spec: { mtls: { backends: [{ name: 'ca-1', type: 'provided', conf: { cert: { secret: 'my-cert' } } }] } } });
    const secret = registry.mustGet('Secret');
    for (const name of ['my-cert', 'spare']) await manager.create(secret, { mesh: 'demo', name }, { labels: {}, spec: { data: 'eA==' } });
    await assert.rejects(manager.delete(secret, { mesh: 'demo', name: 'my-cert' }), (e: unknown) => e instanceof ValidationError && /currently in use in Mesh "demo"/.test(e.message));
    assert.ok(await store.get('Secret', { mesh: 'demo', name: 'my-cert' }), 'still there');
    await manager.delete(secret, { mesh: 'demo', name: 'spare' });
    assert.equal(await store.get('Secret', { mesh: 'demo', name: 'spare' }), undefined);
  });
});

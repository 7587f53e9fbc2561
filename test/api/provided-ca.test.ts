/** A `provided` CA backend is checked when the Mesh is written: its Secrets must exist and form a CA. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { buildApiServer } from '../../src/api/server.js';
import { ResourceManager } from '../../src/core/manager.js';
import { createRegistry } from '../../src/resources/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { validateProvidedBackends } from '../../src/ca/provided-backends.js';
import { generateBuiltinCa } from '../../src/ca/builtin-ca.js';
import { issueWorkloadCert } from '../../src/ca/issuer.js';

describe('provided CA backends over the API', () => {
  const store = new MemoryStore();
  const registry = createRegistry();
  const manager = new ResourceManager(store, registry, {
    zone: 'default',
    env: 'universal',
    validateMeshWithStore: (name, spec) => validateProvidedBackends(store, name, spec),
  });
  const app = buildApiServer({ registry, manager, logger: pino({ level: 'silent' }), instanceId: 'i', clusterId: 'c', bodyLimitBytes: 1 << 20 });
  let url: string;
  const put = async (path: string, body: unknown) => {
    const res = await fetch(url + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };
  const provided = (name: string) => ({
    type: 'Mesh',
    name,
    mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'provided', conf: { cert: { secret: 'my-ca-cert' }, key: { secret: 'my-ca-key' } } }] },
  });

  before(async () => {
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
  });

  it('rejects the mesh when the Secrets do not exist, naming the fields', async () => {
    const res = await put('/meshes/m1', provided('m1'));
    assert.equal(res.status, 400);
    const fields = res.json.invalid_parameters.map((p: { field: string }) => p.field);
    assert.ok(fields.some((f: string) => f.startsWith('mtls.backends[0].conf.')), JSON.stringify(res.json));
  });

  it('accepts a CA key pair from Secrets, and rejects a leaf certificate posing as a CA', async () => {
    assert.equal((await put('/meshes/m2', { type: 'Mesh', name: 'm2' })).status, 201);
    const ca = await generateBuiltinCa('m2', {}, new Date());
    await put('/meshes/m2/secrets/my-ca-cert', { type: 'Secret', mesh: 'm2', name: 'my-ca-cert', data: Buffer.from(ca.certPem).toString('base64') });
    await put('/meshes/m2/secrets/my-ca-key', { type: 'Secret', mesh: 'm2', name: 'my-ca-key', data: Buffer.from(ca.keyPem).toString('base64') });
    assert.equal((await put('/meshes/m2', provided('m2'))).status, 200);

    assert.equal((await put('/meshes/m3', { type: 'Mesh', name: 'm3' })).status, 201);
    const leaf = await issueWorkloadCert(ca, 'm3', { 'kuma.io/service': ['web'] }, 3600_000, new Date());
    await put('/meshes/m3/secrets/my-ca-cert', { type: 'Secret', mesh: 'm3', name: 'my-ca-cert', data: Buffer.from(leaf.certPem).toString('base64') });
    await put('/meshes/m3/secrets/my-ca-key', { type: 'Secret', mesh: 'm3', name: 'my-ca-key', data: Buffer.from(leaf.keyPem).toString('base64') });
    const res = await put('/meshes/m3', provided('m3'));
    assert.equal(res.status, 400);
    assert.ok(res.json.invalid_parameters.every((p: { field: string }) => p.field.startsWith('mtls.backends[0].conf.')));
  });
});

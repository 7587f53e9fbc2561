/** The REST API over real HTTP: Kuma paths, JSON shapes, errors and safety under bad input. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { conformanceJson } from '../helpers/conformance.js';

const kong = {
  type: 'Dataplane',
  mesh: 'default',
  name: 'kong-01',
  networking: { address: '10.0.0.1', gateway: { type: 'DELEGATED', tags: { 'kuma.io/service': 'kong' } } },
};

describe('REST API', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ bodyLimitBytes: 64 * 1024 });
    assert.equal((await api.request('PUT', '/meshes/default', { type: 'Mesh', name: 'default' })).status, 201);
  });
  after(() => api.close());

  it('GET / describes the server', async () => {
    const res = await api.request('GET', '/');
    assert.equal(res.status, 200);
    assert.equal(res.json.product, 'Ferry');
    assert.equal(res.json.basedOnKuma, '2.14.3');
    assert.match(res.json.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof res.json.hostname, 'string');
    assert.equal(res.json.instanceId, 'test-instance');
  });

  it('GET /_resources describes each kind exactly as Kuma does', async () => {
    const res = await api.request('GET', '/_resources');
    const golden = conformanceJson('pkg/api-server/testdata/base_endpoints/_resources.golden.json').resources as { name: string }[];
    const ours = res.json.resources as { name: string }[];
    assert.deepEqual(ours.map((r) => r.name), ['Dataplane', 'DataplaneInsight', 'GlobalSecret', 'Mesh', 'MeshTrafficPermission', 'Secret', 'ServiceInsight']);
    for (const r of ours) assert.deepEqual(r, golden.find((g) => g.name === r.name), r.name);
  });

  it('creates (201), updates (200), reads, lists and deletes a mesh', async () => {
    let res = await api.request('PUT', '/meshes/m1', { type: 'Mesh', name: 'm1' });
    assert.equal(res.status, 201);
    assert.deepEqual(res.json, { warnings: [] });
    res = await api.request('PUT', '/meshes/m1', { type: 'Mesh', name: 'm1', routing: { zoneEgress: false, localityAwareLoadBalancing: true } });
    assert.equal(res.status, 200);
    res = await api.request('GET', '/meshes/m1');
    assert.equal(res.json.type, 'Mesh');
    assert.equal(res.json.name, 'm1');
    assert.equal(res.json.kri, 'kri_m____m1_');
    assert.deepEqual(res.json.routing, { localityAwareLoadBalancing: true });
    assert.match(res.json.creationTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal('mesh' in res.json, false, 'global kinds carry no mesh');
    res = await api.request('GET', '/meshes');
    assert.deepEqual(res.json.items.map((m: { name: string }) => m.name), ['default', 'm1']);
    assert.equal(res.json.total, 2);
    assert.equal(res.json.next, null);
    res = await api.request('DELETE', '/meshes/m1');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {});
    res = await api.request('GET', '/meshes/m1');
    assert.equal(res.status, 404);
    assert.deepEqual(res.json, { type: '/std-errors', status: 404, title: 'Could not retrieve a resource', detail: 'Not found', details: 'Not found' });
  });

  it('accepts the delegated gateway example and adds what a zone CP adds', async () => {
    const res = await api.request('PUT', '/meshes/default/dataplanes/kong-01', kong);
    assert.equal(res.status, 201, res.text);
    const got = (await api.request('GET', '/meshes/default/dataplanes/kong-01')).json;
    assert.deepEqual(got.networking, { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'kong', 'kuma.io/zone': 'default' } } });
    assert.deepEqual(got.labels, {
      'kuma.io/mesh': 'default',
      'kuma.io/origin': 'zone',
      'kuma.io/zone': 'default',
      'kuma.io/env': 'universal',
      'kuma.io/proxy-type': 'sidecar',
    });
    assert.equal(got.kri, 'kri_dp_default_default__kong-01_');
    const list = (await api.request('GET', '/dataplanes')).json;
    assert.ok(list.items.some((i: { name: string }) => i.name === 'kong-01'), 'listed across meshes');
  });

  it('rejects an inbound on a delegated gateway with Kuma’s message', async () => {
    const withInbound = structuredClone(kong) as any;
    withInbound.networking.inbound = [{ port: 8080, tags: { 'kuma.io/service': 'kong' } }];
    const res = await api.request('PUT', '/meshes/default/dataplanes/kong-01', withInbound);
    assert.equal(res.status, 400);
    assert.equal(res.json.title, 'Failed to update a resource');
    assert.equal(res.json.detail, 'Resource is not valid');
    assert.deepEqual(res.json.invalid_parameters, [{ field: 'networking.inbound', reason: 'inbound cannot be defined for delegated gateways' }]);
    assert.deepEqual(res.json.causes, [{ field: 'networking.inbound', message: 'inbound cannot be defined for delegated gateways' }]);
    const stored = (await api.request('GET', '/meshes/default/dataplanes/kong-01')).json;
    assert.equal(stored.networking.inbound, undefined, 'the stored resource is untouched');
  });

  it('reports every violation of a bad dataplane at once', async () => {
    const res = await api.request('PUT', '/meshes/default/dataplanes/bad', {
      type: 'Dataplane',
      mesh: 'default',
      name: 'bad',
      networking: { address: '0.0.0.0', gateway: { tags: { 'kuma.io/protocol': 'http', app: 'x' } }, inbound: [{ port: 1 }] },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.title, 'Failed to create a resource');
    const fields = res.json.invalid_parameters.map((p: { field: string }) => p.field);
    assert.ok(fields.includes('networking.inbound'));
    assert.ok(fields.includes('networking.address'));
    assert.ok(fields.includes('networking.gateway.tags["kuma.io/protocol"]'));
    assert.ok(fields.includes('networking.gateway.tags'));
    assert.equal((await api.request('GET', '/meshes/default/dataplanes/bad')).status, 404);
  });

  it('names unknown fields and wrong types by path', async () => {
    const res = await api.request('PUT', '/meshes/default/dataplanes/typo', {
      type: 'Dataplane',
      mesh: 'default',
      name: 'typo',
      networking: { address: '10.0.0.2', gatway: {}, outbound: [{ port: 'eighty', tags: { 'kuma.io/service': 'a' } }] },
    });
    assert.equal(res.status, 400);
    assert.equal(res.json.title, 'Could not process a resource');
    const fields = res.json.invalid_parameters.map((p: { field: string }) => p.field);
    assert.deepEqual(fields.sort(), ['networking.gatway', 'networking.outbound[0].port']);
  });

  it('rejects a body that disagrees with the URL', async () => {
    const res = await api.request('PUT', '/meshes/default/dataplanes/other', { ...kong, mesh: 'elsewhere', type: 'Mesh' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json.invalid_parameters, [
      { field: 'name', reason: 'name from the URL has to be the same as in body' },
      { field: 'type', reason: 'type from the URL has to be the same as in body' },
      { field: 'mesh', reason: 'mesh from the URL has to be the same as in body' },
    ]);
  });

  it('requires the mesh to exist', async () => {
    const res = await api.request('PUT', '/meshes/nope/dataplanes/kong-01', { ...kong, mesh: 'nope' });
    assert.equal(res.status, 400);
    assert.equal(res.json.detail, 'Mesh is not found');
    assert.deepEqual(res.json.invalid_parameters, [{ field: 'mesh', reason: 'mesh of name nope is not found' }]);
  });

  it('rejects a kuma.io/mesh label that differs from the mesh', async () => {
    const res = await api.request('PUT', '/meshes/default/dataplanes/lbl', { ...kong, name: 'lbl', labels: { 'kuma.io/mesh': 'other' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json.invalid_parameters, [{ field: 'labels["kuma.io/mesh"]', reason: 'kuma.io/mesh label must not differ from mesh set on resource' }]);
  });

  it('validates label keys as Kubernetes qualified names', async () => {
    const res = await api.request('PUT', '/meshes/default/dataplanes/lbl2', { ...kong, name: 'lbl2', labels: { 'bad key!': 'v', 'team/a': 'b' } });
    assert.equal(res.status, 400);
    assert.equal(res.json.invalid_parameters.length, 1);
    assert.equal(res.json.invalid_parameters[0].field, 'labels["bad key!"]');
    assert.match(res.json.invalid_parameters[0].reason, /^name part must consist of alphanumeric characters/);
  });

  it('validates meshes with Kuma’s rules', async () => {
    const res = await api.request('PUT', '/meshes/m2', {
      type: 'Mesh',
      name: 'm2',
      mtls: { enabledBackend: 'missing', backends: [{ name: 'a', type: 'builtin' }, { name: 'b', type: 'builtin' }] },
    });
    assert.equal(res.status, 400);
    const byField = Object.fromEntries(res.json.invalid_parameters.map((p: { field: string; reason: string }) => [p.field, p.reason]));
    assert.equal(byField['mtls.backends'], 'cannot have more than 1 backends');
    assert.equal(byField['mtls.enabledBackend'], 'has to be set to one of the backends in the mesh');
    assert.equal((await api.request('GET', '/meshes/m2')).status, 404);
  });

  it('refuses to delete a mesh that still has dataplanes', async () => {
    const res = await api.request('DELETE', '/meshes/default');
    assert.equal(res.status, 400);
    assert.deepEqual(res.json.invalid_parameters, [{ field: 'mesh', reason: 'unable to delete mesh, there are still some dataplanes attached' }]);
  });

  it('deleting a mesh deletes its secrets', async () => {
    await api.request('PUT', '/meshes/tmp', { type: 'Mesh', name: 'tmp' });
    assert.equal((await api.request('PUT', '/meshes/tmp/secrets/s1', { type: 'Secret', mesh: 'tmp', name: 's1', data: 'dGVzdA==' })).status, 201);
    assert.equal((await api.request('DELETE', '/meshes/tmp')).status, 200);
    await api.request('PUT', '/meshes/tmp', { type: 'Mesh', name: 'tmp' });
    assert.equal((await api.request('GET', '/meshes/tmp/secrets/s1')).status, 404);
  });

  it('serves global secrets at /globalsecrets', async () => {
    assert.equal((await api.request('PUT', '/globalsecrets/g1', { type: 'GlobalSecret', name: 'g1', data: 'dGVzdA==' })).status, 201);
    const res = await api.request('GET', '/globalsecrets/g1');
    assert.equal(res.json.data, 'dGVzdA==');
    assert.equal('mesh' in res.json, false);
  });

  it('refuses writes to read-only kinds', async () => {
    const res = await api.request('PUT', '/meshes/default/dataplane-insights/x', { type: 'DataplaneInsight', mesh: 'default', name: 'x' });
    assert.equal(res.status, 405);
    assert.equal((await api.request('DELETE', '/meshes/default/dataplane-insights/x')).status, 405);
  });

  it('rejects malformed bodies without storing anything', async () => {
    for (const body of ['{', '[]', '"text"', 'null', '{"type": "Dataplane", "mesh": "default", "name": "x", "networking": ']) {
      const res = await api.request('PUT', '/meshes/default/dataplanes/x', body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json.type, '/std-errors');
    }
    const deep = '{"type":"Dataplane","mesh":"default","name":"x","metrics":{"type":"prometheus","conf":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}}';
    const res = await api.request('PUT', '/meshes/default/dataplanes/x', deep);
    assert.equal(res.status, 400);
    assert.equal((await api.request('GET', '/meshes/default/dataplanes/x')).status, 404);
  });

  it('answers 413 for an oversized body', async () => {
    const big = { ...kong, name: 'big', labels: { pad: 'x'.repeat(100 * 1024) } };
    const res = await api.request('PUT', '/meshes/default/dataplanes/big', big);
    assert.equal(res.status, 413);
    assert.equal(res.json.type, '/std-errors');
    assert.equal((await api.request('GET', '/meshes/default/dataplanes/big')).status, 404);
  });

  it('answers unknown paths and kinds with a Kuma error', async () => {
    const res = await api.request('GET', '/meshes/default/not-a-kind');
    assert.equal(res.status, 404);
    assert.equal(res.json.type, '/std-errors');
  });

  it('concurrent updates: each either wins or gets 409, and no update is lost', async () => {
    await api.request('PUT', '/meshes/default/dataplanes/race', { ...kong, name: 'race' });
    const attempts = Array.from({ length: 12 }, (_, i) => ({
      ...kong,
      name: 'race',
      networking: { address: `10.0.1.${i + 1}`, gateway: { tags: { 'kuma.io/service': 'kong' } } },
    }));
    const results = await Promise.all(attempts.map((b) => api.request('PUT', '/meshes/default/dataplanes/race', b)));
    const statuses = results.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 409), statuses.join(','));
    for (const r of results.filter((x) => x.status === 409)) assert.equal(r.json.title, 'Conflict');
    const winners = attempts.filter((_, i) => statuses[i] === 200).map((b) => b.networking.address);
    assert.ok(winners.length >= 1);
    const final = (await api.request('GET', '/meshes/default/dataplanes/race')).json;
    assert.ok(winners.includes(final.networking.address), 'the stored state is one that was acknowledged');
  });

  it('filters lists by labels and rejects other filters', async () => {
    let res = await api.request('GET', '/meshes/default/dataplanes?filter[labels.kuma.io/proxy-type]=sidecar');
    assert.equal(res.status, 200);
    assert.ok(res.json.total >= 1);
    res = await api.request('GET', '/meshes/default/dataplanes?filter[name]=x');
    assert.equal(res.status, 400);
    assert.deepEqual(res.json.invalid_parameters, [{ field: '/meshes/{mesh}/dataplanes.filter[name]', reason: 'filters are only supported on labels' }]);
  });
});

describe('REST API in read-only mode (Kubernetes)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ readOnly: true });
    await api.manager.create(api.manager.registry.mustGet('Mesh'), { mesh: '', name: 'default' }, { labels: {}, spec: {} });
  });
  after(() => api.close());

  it('serves reads and refuses writes with Kuma’s Kubernetes message, storing nothing', async () => {
    assert.equal((await api.request('GET', '/meshes/default')).status, 200);
    const put = await api.request('PUT', '/meshes/default/dataplanes/kong-01', kong);
    assert.equal(put.status, 405);
    assert.equal(put.json.title, 'Method not allowed');
    assert.match(put.json.detail, /^On Kubernetes you cannot change the state of Kuma resources with 'kumactl apply' or via the HTTP API\./);
    assert.equal((await api.request('DELETE', '/meshes/default')).status, 405);
    assert.equal((await api.request('GET', '/meshes/default/dataplanes/kong-01')).status, 404);
    assert.equal((await api.request('GET', '/meshes/default')).status, 200);
  });

  it('lists every kind as read-only in /_resources', async () => {
    const res = await api.request('GET', '/_resources');
    assert.ok(res.json.resources.length > 0);
    for (const r of res.json.resources) assert.equal(r.readOnly, true, r.name);
  });
});

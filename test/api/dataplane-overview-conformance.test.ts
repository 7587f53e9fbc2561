/** Kuma v2.14.3's dataplane overview listing cases (pkg/api-server/testdata), against our API over HTTP. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { conformanceJson } from '../helpers/conformance.js';
import { parseMessage } from '../../src/core/schema.js';
import { FieldPath, Violations } from '../../src/core/validation.js';
import { dataplaneSchema } from '../../src/resources/dataplane.js';
import { dataplaneInsightSchema } from '../../src/resources/dataplane-insight.js';

const created = new Date('2018-07-17T16:05:36.995Z');

function normalised(schema: Parameters<typeof parseMessage>[0], doc: unknown) {
  const v = new Violations();
  const spec = parseMessage(schema, doc, FieldPath.root(), v)!;
  assert.deepEqual(v.list, []);
  return spec;
}

const insight = {
  subscriptions: [
    {
      id: 'stream-id-1',
      controlPlaneInstanceId: 'cp-1',
      connectTime: '2019-07-01T00:00:00Z',
      status: { lastUpdateTime: '2019-07-01T00:00:00Z', total: {}, cds: {}, eds: {}, lds: {}, rds: {} },
    },
  ],
};

const backendInbound = { networking: { address: '127.0.0.1', inbound: [{ port: 1234, tags: { service: 'backend', version: 'v1', tagcolumn: 'tag:v' } }] } };

/** The golden file name is the URL with every run of non-alphanumerics replaced by `_`. */
function goldenFor(url: string): string {
  return `pkg/api-server/testdata/${url.replace(/^\//, '').replace(/[^a-zA-Z0-9]+/g, '_')}.json`;
}

describe('dataplane overview (Kuma conformance data)', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi();
    const { store } = api;
    await store.create('Mesh', { mesh: '', name: 'mesh1', spec: {}, creationTime: created });
    const dps: Record<string, unknown> = {
      'gateway-delegated': { networking: { address: '127.0.0.1', gateway: { tags: { service: 'gateway' } } } },
      'gateway-builtin': { networking: { address: '127.0.0.1', gateway: { tags: { service: 'gateway' }, type: 'BUILTIN' } } },
      'dp-1': backendInbound,
      'dp-no-insights': backendInbound,
    };
    for (const [name, doc] of Object.entries(dps)) {
      await store.create('Dataplane', { mesh: 'mesh1', name, spec: normalised(dataplaneSchema, doc), creationTime: created });
    }
    for (const name of ['gateway-delegated', 'gateway-builtin', 'dp-1']) {
      await store.create('DataplaneInsight', { mesh: 'mesh1', name, spec: normalised(dataplaneInsightSchema, insight), creationTime: created });
    }
  });
  after(() => api.close());

  const cases = [
    '/meshes/mesh1/dataplanes+insights',
    '/meshes/mesh1/dataplanes+insights?tag=service:backend',
    '/meshes/mesh1/dataplanes+insights?tag=service:ck',
    '/meshes/mesh1/dataplanes+insights?tag=service:backend&tag=version:v1',
    '/meshes/mesh1/dataplanes+insights?tag=tagcolumn:tag:v',
    '/meshes/mesh1/dataplanes+insights?tag=service:backend&tag=version:v2',
    '/meshes/mesh1/dataplanes+insights?gateway=true',
    '/meshes/mesh1/dataplanes+insights?gateway=builtin',
    '/meshes/mesh1/dataplanes+insights?gateway=delegated',
    '/meshes/mesh1/dataplanes+insights?name=gateway',
    '/meshes/mesh1/dataplanes+insights?name=tew',
    '/meshes/mesh1/dataplanes/_overview?name=tew',
  ];
  for (const url of cases) {
    it(`GET ${url}`, async () => {
      const res = await api.request('GET', url);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, conformanceJson(goldenFor(url)));
    });
  }

  it('gateway=false lists only the ordinary dataplanes', async () => {
    const res = await api.request('GET', '/meshes/mesh1/dataplanes/_overview?gateway=false');
    assert.deepEqual(res.json.items.map((i: { name: string }) => i.name), ['dp-1', 'dp-no-insights']);
  });

  it('the gateway filter ignores case', async () => {
    const res = await api.request('GET', '/meshes/mesh1/dataplanes/_overview?gateway=DELEGATED');
    assert.deepEqual(res.json.items.map((i: { name: string }) => i.name), ['gateway-delegated']);
  });

  it('returns a single overview', async () => {
    const res = await api.request('GET', '/meshes/mesh1/dataplanes+insights/dp-1');
    assert.equal(res.status, 200);
    const all = conformanceJson(goldenFor('/meshes/mesh1/dataplanes+insights'));
    assert.deepEqual(res.json, all.items.find((i: { name: string }) => i.name === 'dp-1'));
    const viaOverview = await api.request('GET', '/meshes/mesh1/dataplanes/dp-1/_overview');
    assert.deepEqual(viaOverview.json, res.json);
  });

  it('rejects bad page sizes and offsets', async () => {
    for (const q of ['size=0', 'size=-1', 'size=10&offset=-1', 'size=abc', 'size=1001']) {
      const res = await api.request('GET', `/meshes/mesh1/dataplanes+insights?${q}`);
      assert.equal(res.status, 400, q);
      assert.equal(res.json.type, '/std-errors');
    }
    const res = await api.request('GET', '/meshes/mesh1/dataplanes+insights?size=0');
    assert.deepEqual(res.json.invalid_parameters, [{ field: 'size', reason: 'must be greater than 0' }]);
    assert.equal(res.json.detail, 'Invalid page size');
  });

  it('pages with an absolute next link', async () => {
    const res = await api.request('GET', '/meshes/mesh1/dataplanes+insights?size=1');
    assert.equal(res.json.total, 4);
    assert.equal(res.json.items.length, 1);
    const host = new URL(api.url).host;
    assert.equal(res.json.next, `http://${host}/meshes/mesh1/dataplanes+insights?offset=1&size=1`);
    const last = await api.request('GET', '/meshes/mesh1/dataplanes+insights?size=1&offset=3');
    assert.equal(last.json.items[0].name, 'gateway-delegated');
    assert.equal(last.json.next, null);
  });

  it('rejects an unknown gateway mode with Kuma’s message', async () => {
    const res = await api.request('GET', '/meshes/mesh1/dataplanes+insights?gateway=maybe');
    assert.equal(res.status, 400);
    assert.deepEqual(res.json.invalid_parameters, [
      { field: '/meshes/{mesh}/dataplanes+insights.gateway', reason: "shoud use `true`, `false`, 'builtin' or 'delegated' instead of maybe" },
    ]);
  });
});

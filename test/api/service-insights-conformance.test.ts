/** Kuma v2.14.3's service-insights type-filter cases (pkg/api-server/testdata/service-insights), over HTTP. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { conformanceFile, conformanceJson } from '../helpers/conformance.js';
import { parseResourceInput } from '../../src/core/envelope.js';
import { createRegistry } from '../../src/resources/index.js';
import { computeServiceInsight } from '../../src/insights/service-insight.js';
import type { Resource } from '../../src/core/resource.js';

const dir = 'pkg/api-server/testdata/service-insights';

describe('service insights (Kuma conformance data)', () => {
  let api: TestApi;
  const requests: { url: string; status: number }[] = [];

  before(async () => {
    api = await startTestApi();
    const registry = createRegistry();
    const text = conformanceFile(`${dir}/type-filter.input.yaml`);
    for (const line of text.split('\n')) {
      const m = /^#(\S+) (\d+)$/.exec(line);
      if (m) requests.push({ url: m[1], status: Number(m[2]) });
    }
    for (const doc of parseAllDocuments(text)) {
      const value = doc.toJS() as { type: string; name: string; mesh?: string };
      const kind = registry.mustGet(value.type);
      const { input, violations } = parseResourceInput(kind, value);
      assert.deepEqual(violations.list, []);
      // Kuma's harness stores these with zero timestamps
      await api.store.create(kind.name, { mesh: value.mesh ?? '', name: value.name, spec: input!.spec, creationTime: new Date('0001-01-01T00:00:00Z') });
    }
  });
  after(() => api.close());

  it('answers each request as the golden files say', async () => {
    assert.equal(requests.length, 2);
    for (const [i, r] of requests.entries()) {
      const res = await api.request('GET', r.url);
      assert.equal(res.status, r.status, r.url);
      assert.deepEqual(res.json, conformanceJson(`${dir}/type-filter_${String(i).padStart(2, '0')}.golden.json`), r.url);
    }
  });

  it('serves one service, and 404 for an unknown one', async () => {
    const res = await api.request('GET', '/meshes/mesh-1/service-insights/kong');
    assert.equal(res.status, 200);
    assert.equal(res.json.serviceType, 'gateway_delegated');
    assert.equal(res.json.addressPort, undefined, 'only internal services have a .mesh address');
    assert.equal((await api.request('GET', '/meshes/mesh-1/service-insights/nope')).status, 404);
  });
});

describe('service insight computation', () => {
  const dp = (name: string, networking: Record<string, unknown>): Resource => ({
    type: 'Dataplane',
    meta: { mesh: 'm', name, version: '1', creationTime: new Date(), modificationTime: new Date(), labels: {} },
    spec: { networking },
  });
  const online = (name: string): Resource => ({
    type: 'DataplaneInsight',
    meta: { mesh: 'm', name, version: '1', creationTime: new Date(), modificationTime: new Date(), labels: {} },
    spec: { subscriptions: [{ id: 's', controlPlaneInstanceId: 'cp', connectTime: new Date().toISOString() }], mTLS: { issuedBackend: 'ca-1' } },
  });

  it('counts online and offline proxies per service, gateways by their service tag', () => {
    const spec = computeServiceInsight(
      [
        dp('b1', { address: '1.1.1.1', inbound: [{ port: 1, tags: { 'kuma.io/service': 'backend' } }] }),
        dp('b2', { address: '1.1.1.2', inbound: [{ port: 1, tags: { 'kuma.io/service': 'backend' } }] }),
        dp('kong', { address: '1.1.1.3', gateway: { tags: { 'kuma.io/service': 'kong' } } }),
      ],
      new Map([['b1', online('b1')], ['kong', online('kong')]]),
    );
    assert.deepEqual(spec, {
      services: {
        backend: { status: 'partially_degraded', dataplanes: { online: 1, offline: 1 }, issuedBackends: { 'ca-1': 1 } },
        kong: { status: 'online', dataplanes: { online: 1 }, issuedBackends: { 'ca-1': 1 }, serviceType: 'gateway_delegated' },
      },
    });
  });
});

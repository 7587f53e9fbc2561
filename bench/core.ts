/** Benchmarks of the resource layer: validation, stores and the REST API. */
import { performance } from 'node:perf_hooks';
import { parse as parseYaml } from 'yaml';
import { parseResourceInput } from '../src/core/envelope.js';
import { createRegistry } from '../src/resources/index.js';
import { validateDataplane } from '../src/resources/dataplane.js';
import { MemoryStore } from '../src/store/memory.js';
import { PostgresStore } from '../src/store/postgres/store.js';
import type { ResourceStore } from '../src/store/store.js';
import { startTestApi } from '../test/helpers/api.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { percentile } from './xds.js';

export interface Row {
  name: string;
  value: string;
  note?: string;
}

const dataplaneKind = createRegistry().mustGet('Dataplane');

const sidecarYaml = `
type: Dataplane
mesh: default
name: backend-1
networking:
  address: 10.0.0.11
  inbound:
    - port: 8080
      tags: {kuma.io/service: backend, kuma.io/protocol: http, version: v1}
  outbound:
    - port: 33033
      tags: {kuma.io/service: db}
  transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001, ipFamilyMode: IPv4}
`;

const perSecond = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en')}/s`;

export function benchValidation(): Row[] {
  const doc = parseYaml(sidecarYaml);
  const n = 20000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const { input } = parseResourceInput(dataplaneKind, doc);
    validateDataplane(input!.spec, { name: 'backend-1', mesh: 'default', labels: {} });
  }
  return [{ name: 'parse + validate a Dataplane', value: perSecond(n, performance.now() - t0) }];
}

async function storeRows(label: string, store: ResourceStore, n: number): Promise<Row[]> {
  const spec = parseResourceInput(dataplaneKind, parseYaml(sidecarYaml)).input!.spec;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await store.create('Dataplane', { mesh: 'bench', name: `dp-${i}`, spec });
  const create = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const cur = (await store.get('Dataplane', { mesh: 'bench', name: `dp-${i}` }))!;
    await store.update('Dataplane', { mesh: 'bench', name: `dp-${i}`, version: cur.meta.version, spec });
  }
  const update = performance.now() - t0;
  const pages = 50;
  t0 = performance.now();
  for (let i = 0; i < pages; i++) await store.list('Dataplane', { mesh: 'bench', size: 100, offset: (i * 100) % n });
  const list = performance.now() - t0;
  return [
    { name: `${label}: create`, value: perSecond(n, create) },
    { name: `${label}: get + update`, value: perSecond(n, update) },
    { name: `${label}: list a page of 100 of ${n}`, value: perSecond(pages, list) },
  ];
}

export async function benchStore(): Promise<Row[]> {
  const store = new MemoryStore();
  const rows = await storeRows('memory store', store, 5000);
  await store.close();
  return rows;
}

export async function benchPostgresStore(): Promise<Row[]> {
  const cluster = await startPostgres();
  try {
    const store = await PostgresStore.open(cluster.config);
    const rows = await storeRows('postgres store', store, 2000);
    await store.close();
    return rows;
  } finally {
    await cluster.stop();
  }
}

export async function benchApi(): Promise<Row[]> {
  const api = await startTestApi();
  await api.request('PUT', '/meshes/default', { type: 'Mesh', name: 'default' });
  const doc = parseYaml(sidecarYaml);
  const n = 1000;
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const res = await api.request('PUT', `/meshes/default/dataplanes/dp-${i}`, { ...doc, name: `dp-${i}` });
    if (res.status !== 201) throw new Error(`PUT failed: ${res.text}`);
    latencies.push(performance.now() - s);
  }
  const t1 = performance.now();
  for (let i = 0; i < 100; i++) await api.request('GET', '/meshes/default/dataplanes/_overview?gateway=false&size=100');
  const overview = performance.now() - t1;
  await api.close();
  return [
    { name: 'API PUT Dataplane over HTTP (memory store), p50 / p99', value: `${percentile(latencies, 50).toFixed(2)} / ${percentile(latencies, 99).toFixed(2)} ms` },
    { name: 'API GET _overview, page of 100 of 1,000', value: perSecond(100, overview) },
  ];
}

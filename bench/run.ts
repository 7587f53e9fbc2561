/**
 * Benchmarks (not tests): validation, store and API throughput on this machine.
 * Run with `npm run bench`; add `--postgres` to include a throwaway PostgreSQL cluster.
 */
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

const registry = createRegistry();
const dataplaneKind = registry.mustGet('Dataplane');

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

function report(name: string, count: number, ms: number, extra = ''): void {
  const perSec = Math.round((count / ms) * 1000);
  console.log(`${name.padEnd(44)} ${String(count).padStart(7)} ops  ${ms.toFixed(0).padStart(6)} ms  ${String(perSec).padStart(8)} ops/s ${extra}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function benchValidation(): void {
  const doc = parseYaml(sidecarYaml);
  const n = 20000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const { input } = parseResourceInput(dataplaneKind, doc);
    validateDataplane(input!.spec, { name: 'backend-1', mesh: 'default', labels: {} });
  }
  report('parse + validate Dataplane', n, performance.now() - t0);
}

async function benchStore(label: string, store: ResourceStore, n: number): Promise<void> {
  const spec = parseResourceInput(dataplaneKind, parseYaml(sidecarYaml)).input!.spec;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await store.create('Dataplane', { mesh: 'bench', name: `dp-${i}`, spec });
  report(`${label}: create`, n, performance.now() - t0);
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const cur = (await store.get('Dataplane', { mesh: 'bench', name: `dp-${i}` }))!;
    await store.update('Dataplane', { mesh: 'bench', name: `dp-${i}`, version: cur.meta.version, spec });
  }
  report(`${label}: get + update`, n, performance.now() - t0);
  const pages = 50;
  t0 = performance.now();
  for (let i = 0; i < pages; i++) await store.list('Dataplane', { mesh: 'bench', size: 100, offset: (i * 100) % n });
  report(`${label}: list page of 100 (of ${n})`, pages, performance.now() - t0);
}

async function benchApi(): Promise<void> {
  const api = await startTestApi();
  await api.request('PUT', '/meshes/default', { type: 'Mesh', name: 'default' });
  const doc = parseYaml(sidecarYaml);
  const n = 1000;
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const res = await api.request('PUT', `/meshes/default/dataplanes/dp-${i}`, { ...doc, name: `dp-${i}` });
    if (res.status !== 201) throw new Error(`PUT failed: ${res.text}`);
    latencies.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  report('API PUT dataplane (HTTP, memory store)', n, total, `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`);
  const t1 = performance.now();
  for (let i = 0; i < 100; i++) await api.request('GET', '/meshes/default/dataplanes/_overview?gateway=false&size=100');
  report('API GET _overview page of 100 (of 1000)', 100, performance.now() - t1);
  await api.close();
}

console.log(`node ${process.version}, ${new Date().toISOString()}`);
benchValidation();
await benchStore('memory store', new MemoryStore(), 5000);
await benchApi();
if (process.argv.includes('--postgres')) {
  const cluster = await startPostgres();
  try {
    const store = await PostgresStore.open(cluster.config);
    await benchStore('postgres store', store, 2000);
    await store.close();
  } finally {
    await cluster.stop();
  }
}

/** xDS benchmarks: generation cost at scale, change-to-ACK propagation and memory per connected proxy. */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '../src/core/resource.js';
import { buildEndpointIndex, generateEnvoyConfig } from '../src/xds/generate/index.js';
import { encodeConfig } from '../src/xds/encode.js';
import { startCp } from '../test/helpers/processes.js';
import { generateSelfSignedCert } from '../src/dp/tls.js';

const here = dirname(fileURLToPath(import.meta.url));

function resource(type: string, mesh: string, name: string, spec: Record<string, unknown>): Resource {
  const t = new Date(0);
  return { type, meta: { mesh, name, version: '1', creationTime: t, modificationTime: t, labels: {} }, spec };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export interface GenerationResult {
  services: number;
  resources: number;
  /** Endpoint index from scratch. */
  indexMs: number;
  /** Generation on a fresh index: nothing memoised yet. */
  coldMs: number;
  /** Generation when another proxy already produced the per-service messages. */
  sharedMs: number;
  /** One endpoint added: next index (carrying the memo over) plus generation. */
  nextSnapshotMs: number;
  /** Validation against validate.rules, binary encoding and hashing, first time. */
  encodeMs: number;
}

/** A delegated gateway with one outbound per service; every service has 2 endpoints. */
export function benchGeneration(services: number): GenerationResult {
  const dataplanes: Resource[] = [];
  const outbound = [];
  for (let s = 0; s < services; s++) {
    for (let e = 0; e < 2; e++) {
      const n = s * 2 + e;
      dataplanes.push(
        resource('Dataplane', 'default', `svc-${s}-${e}`, {
          networking: {
            address: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
            inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${s}`, 'kuma.io/protocol': s % 2 ? 'http' : 'tcp', 'kuma.io/zone': 'zone-1' } }],
          },
        }),
      );
    }
    outbound.push({ port: 10000 + (s % 50000), address: `127.${(s >> 16) & 255}.${(s >> 8) & 255}.${(s & 255) + 1}`, tags: { 'kuma.io/service': `svc-${s}` } });
  }
  const gateway = resource('Dataplane', 'default', 'kong-01', {
    networking: { address: '10.255.0.1', gateway: { tags: { 'kuma.io/service': 'kong' } }, outbound },
  });
  dataplanes.push(gateway);
  const snapshot = { mesh: resource('Mesh', '', 'default', {}), dataplanes };
  const proxy = { dataplane: gateway, metadata: { adminPort: 9901, readinessPort: 9902, features: [], proxyless: false } };
  const runs = { index: [] as number[], cold: [] as number[], shared: [] as number[], next: [] as number[], encode: [] as number[] };
  let resources = 0;
  const extra = resource('Dataplane', 'default', 'extra', {
    networking: { address: '10.254.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'svc-5', 'kuma.io/protocol': 'http' } }] },
  });
  const changed = { ...snapshot, dataplanes: [...dataplanes, extra] };
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    const index = buildEndpointIndex(snapshot);
    runs.index.push(performance.now() - t);
    t = performance.now();
    const config = generateEnvoyConfig(snapshot, proxy, index);
    runs.cold.push(performance.now() - t);
    t = performance.now();
    generateEnvoyConfig(snapshot, proxy, index);
    runs.shared.push(performance.now() - t);
    t = performance.now();
    generateEnvoyConfig(changed, proxy, buildEndpointIndex(changed, index));
    runs.next.push(performance.now() - t);
    t = performance.now();
    const set = encodeConfig(structuredClone(config));
    runs.encode.push(performance.now() - t);
    resources = [...set.values()].reduce((n, m) => n + m.size, 0);
  }
  return {
    services,
    resources,
    indexMs: median(runs.index),
    coldMs: median(runs.cold),
    sharedMs: median(runs.shared),
    nextSnapshotMs: median(runs.next),
    encodeMs: median(runs.encode),
  };
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export interface PropagationResult {
  proxies: number;
  changes: number;
  allAckedP50: number;
  allAckedP99: number;
  perProxyP50: number;
  perProxyP99: number;
  rssPerProxyKb: number;
  connectSeconds: number;
}

/** ferry-cp and the Delta clients each run in their own process; this one drives and measures. */
export async function benchPropagation(proxies: number, changes: number): Promise<PropagationResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
  const cert = await generateSelfSignedCert({ hosts: ['127.0.0.1'] });
  writeFileSync(join(dir, 'cert.pem'), cert.certPem);
  writeFileSync(join(dir, 'key.pem'), cert.keyPem);
  const cp = await startCp({
    FERRY_DP_SERVER_TLS_CERT_FILE: join(dir, 'cert.pem'),
    FERRY_DP_SERVER_TLS_KEY_FILE: join(dir, 'key.pem'),
    FERRY_GENERAL_LOG_LEVEL: 'warn',
  });
  const put = async (name: string, body: unknown) => {
    const res = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(await res.text());
  };
  const backend = (i: number) => ({
    type: 'Dataplane',
    mesh: 'default',
    name: `backend-${i}`,
    networking: { address: `192.168.${i >> 8}.${i & 255}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] },
  });
  try {
    await put('backend-0', backend(0));
    for (let i = 0; i < proxies; i++) {
      await put(`gw-${i}`, {
        type: 'Dataplane',
        mesh: 'default',
        name: `gw-${i}`,
        networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'kong' } }, outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] },
      });
    }
    await new Promise((r) => setTimeout(r, 500));
    const rssBefore = rssKb(cp.proc.pid!);
    const child = fork(join(here, 'delta-clients.ts'), [cp.dpUrl, String(proxies), join(dir, 'cert.pem')], { execArgv: [...(process.env.BENCH_CLIENT_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CLIENT_PROF] : []), '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const messages: { kind: string; times?: number[] }[] = [];
    const waiters: (() => void)[] = [];
    child.on('message', (m: { kind: string }) => {
      messages.push(m);
      for (const w of waiters.splice(0)) w();
    });
    const nextMessage = async (kind: string) => {
      for (;;) {
        const i = messages.findIndex((m) => m.kind === kind);
        if (i >= 0) return messages.splice(i, 1)[0];
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    const connectStart = performance.now();
    await nextMessage('ready');
    const connectSeconds = (performance.now() - connectStart) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const rssAfter = rssKb(cp.proc.pid!);

    const allAcked: number[] = [];
    const perProxy: number[] = [];
    for (let c = 1; c <= changes; c++) {
      const address = `192.168.${c >> 8}.${c & 255}`;
      child.send({ kind: 'expect', address });
      await nextMessage('armed');
      const t0 = performance.timeOrigin + performance.now();
      await put(`backend-${c}`, backend(c));
      const seen = await nextMessage('seen');
      const lat = seen.times!.map((t) => t - t0);
      perProxy.push(...lat);
      allAcked.push(Math.max(...lat));
    }
    child.send({ kind: 'stop' });
    await new Promise((r) => child.once('exit', r));
    return {
      proxies,
      changes,
      allAckedP50: percentile(allAcked, 50),
      allAckedP99: percentile(allAcked, 99),
      perProxyP50: percentile(perProxy, 50),
      perProxyP99: percentile(perProxy, 99),
      rssPerProxyKb: (rssAfter - rssBefore) / proxies,
      connectSeconds,
    };
  } finally {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

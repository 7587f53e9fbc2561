/**
 * Benchmarks (not tests). Prints a table and rewrites BENCHMARKS.md with the results and the command.
 * `npm run bench` runs everything; `npm run bench -- --quick` skips the 1,000-proxy propagation run.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { benchApi, benchPostgresStore, benchStore, benchValidation, type Row } from './core.js';
import { benchGeneration, benchPropagation } from './xds.js';
import { benchPodController } from './kubernetes.js';

const quick = process.argv.includes('--quick');
const rows: Row[] = [];
const add = (r: Row) => {
  rows.push(r);
  console.log(`${r.name.padEnd(64)} ${r.value.padStart(14)}  ${r.note ?? ''}`);
};

console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`);
for (const r of benchValidation()) add(r);
for (const r of await benchStore()) add(r);
for (const r of await benchApi()) add(r);
for (const r of await benchPostgresStore()) add(r);

for (const r of await benchPodController(500)) add(r);

for (const services of [1000, 10000]) {
  const g = benchGeneration(services);
  const label = `delegated gateway, ${services.toLocaleString('en')} services × 2 endpoints`;
  add({ name: `${label}: generate (fresh index)`, value: `${g.coldMs.toFixed(0)} ms`, note: `${g.resources} resources; target < 200 ms at 10,000` });
  add({ name: `${label}: generate (shared per-service messages)`, value: `${g.sharedMs.toFixed(0)} ms` });
  add({ name: `${label}: one endpoint added (index + generate)`, value: `${g.nextSnapshotMs.toFixed(0)} ms` });
  add({ name: `${label}: endpoint index`, value: `${g.indexMs.toFixed(0)} ms` });
  add({ name: `${label}: validate + encode, first time`, value: `${g.encodeMs.toFixed(0)} ms`, note: 'memoised per message afterwards' });
}

if (!quick) {
  const p = await benchPropagation(1000, 20);
  add({ name: `change → ACK by all ${p.proxies} Delta proxies (TLS), p50`, value: `${p.allAckedP50.toFixed(0)} ms`, note: `${p.changes} changes; target p99 < 1 s` });
  add({ name: `change → ACK by all ${p.proxies} Delta proxies (TLS), p99`, value: `${p.allAckedP99.toFixed(0)} ms` });
  add({ name: `change → ACK per proxy, p50 / p99`, value: `${p.perProxyP50.toFixed(0)} / ${p.perProxyP99.toFixed(0)} ms` });
  add({ name: `CP resident memory per connected proxy (${p.proxies} proxies)`, value: `${p.rssPerProxyKb.toFixed(0)} KiB`, note: 'target < 0.5 MB' });
  add({ name: `time to connect ${p.proxies} proxies and ACK their first config`, value: `${p.connectSeconds.toFixed(1)} s` });
}

const command = `npm run bench${quick ? ' -- --quick' : ''}`;
const md = [
  '# Benchmarks',
  '',
  `Produced by \`${command}\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB.`,
  'The machine is shared by the control plane, the clients and the driver, so treat the figures as rough.',
  '',
  '| Measurement | Result | Notes |',
  '|---|---:|---|',
  ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.note ?? ''} |`),
  '',
  'How they are measured:',
  '- Generation: a delegated gateway with one outbound per service and two endpoints per service, built in memory; median of 5 runs. "Fresh index" is the first proxy after a snapshot; "shared" is every further proxy of the same snapshot; "one endpoint added" is the next snapshot carrying the memo over.',
  '- Validate + encode: every resource checked against its `validate.rules`, encoded and hashed, the first time it is seen; later proxies and snapshots reuse the result for unchanged messages.',
  '- Propagation: `ferry-cp` (memory store, TLS DP server) and 1,000 Delta ADS clients run as separate processes; each change is a new backend Dataplane applied through the REST API; the time runs from the request until every client has ACKed the EDS update that contains the new endpoint. The simulated proxies recognise the new endpoint by its encoded bytes instead of decoding the whole assignment, since a real Envoy decodes in C++ and should not be charged JavaScript decoding costs on the shared CPUs.',
  '- Pod controller: the controller and the in-process API server of the tests share the process; 500 Running, injected pods behind one Service are created at once and the clock stops when the last Dataplane exists; then the Service gains `appProtocol: http` and the clock stops when every Dataplane carries `kuma.io/protocol: http`.',
  '- Memory: resident set of the `ferry-cp` process after the 1,000 proxies connected, minus before, divided by 1,000 (the Dataplanes were already stored).',
  '',
].join('\n');
writeFileSync('BENCHMARKS.md', md);
console.log('\nwrote BENCHMARKS.md');

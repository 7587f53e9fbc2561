/**
 * Child process of the propagation benchmark: opens N Delta ADS streams as gateway proxies,
 * ACKs everything, and reports to the parent (IPC) when each proxy has seen a given endpoint.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fromBinary } from '@bufbuild/protobuf';
import { ClusterLoadAssignmentSchema } from '../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { TYPE_URL } from '../src/xds/resources.js';
import { openDelta, type DeltaClient } from '../test/helpers/xds-clients.js';

const [url, countArg, caFile] = process.argv.slice(2);
const count = Number(countArg);
const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
const now = () => performance.timeOrigin + performance.now();

/** Latest endpoint addresses each client has ACKed. */
const seen: Set<string>[] = [];
let waitingFor: { address: string; times: (number | undefined)[]; remaining: number } | undefined;

function addressesOf(res: { resources: { resource?: { value: Uint8Array } }[] }): Set<string> {
  const out = new Set<string>();
  for (const r of res.resources) {
    if (!r.resource) continue;
    const cla = fromBinary(ClusterLoadAssignmentSchema, r.resource.value);
    for (const l of cla.endpoints)
      for (const e of l.lbEndpoints) {
        const sa = e.hostIdentifier.case === 'endpoint' ? e.hostIdentifier.value.address?.address : undefined;
        if (sa?.case === 'socketAddress') out.add(sa.value.address);
      }
  }
  return out;
}

async function pump(i: number, client: DeltaClient, ready: () => void): Promise<void> {
  let readyTypes = 0;
  for (;;) {
    let res;
    try {
      res = await client.next(600_000);
    } catch {
      return;
    }
    client.ack(res);
    if (res.typeUrl === TYPE_URL.ClusterLoadAssignment) {
      seen[i] = addressesOf(res);
      const w = waitingFor;
      if (w && w.times[i] === undefined && seen[i].has(w.address)) {
        w.times[i] = now();
        if (--w.remaining === 0) process.send!({ kind: 'seen', address: w.address, times: w.times });
      }
    }
    if (readyTypes < 3 && ++readyTypes === 3) ready();
  }
}

const clients: DeltaClient[] = [];
let ready = 0;
for (let i = 0; i < count; i++) {
  const client = openDelta(url, `default.gw-${i}`, { ca });
  clients.push(client);
  seen.push(new Set());
  client.request({ typeUrl: TYPE_URL.Cluster, resourceNamesSubscribe: ['*'] });
  client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNamesSubscribe: ['backend'] });
  client.request({ typeUrl: TYPE_URL.Listener, resourceNamesSubscribe: ['*'] });
  void pump(i, client, () => {
    if (++ready === count) process.send!({ kind: 'ready' });
  });
}

process.on('message', async (msg: { kind: string; address?: string }) => {
  if (msg.kind === 'expect') {
    const times: (number | undefined)[] = new Array(count).fill(undefined);
    let remaining = count;
    for (let i = 0; i < count; i++) {
      if (seen[i].has(msg.address!)) {
        times[i] = now();
        remaining--;
      }
    }
    waitingFor = { address: msg.address!, times, remaining };
    process.send!({ kind: 'armed' });
    if (remaining === 0) process.send!({ kind: 'seen', address: msg.address, times });
  } else if (msg.kind === 'stop') {
    await Promise.all(clients.map((c) => c.close()));
    process.exit(0);
  }
});

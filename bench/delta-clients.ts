/**
 * Child process of the propagation benchmark: opens N Delta ADS streams as gateway proxies,
 * ACKs everything, and reports to the parent (IPC) when each proxy has seen a given endpoint.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { TYPE_URL } from '../src/xds/resources.js';
import { openDelta, type DeltaClient } from '../test/helpers/xds-clients.js';

const [url, countArg, caFile] = process.argv.slice(2);
const count = Number(countArg);
const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
const now = () => performance.timeOrigin + performance.now();

/** The last EDS payload each client ACKed. */
const lastEds: Buffer[] = [];
let waitingFor: { pattern: Buffer; address: string; times: (number | undefined)[]; remaining: number } | undefined;

/**
 * The bytes a SocketAddress.address field holding `address` encodes to (field 2, length-delimited).
 * Matching them avoids decoding: Envoy is C++, and the simulated proxies should cost the machine little.
 */
function addressPattern(address: string): Buffer {
  const text = Buffer.from(address);
  return Buffer.concat([Buffer.from([0x12, text.length]), text]);
}

function contains(payload: Buffer | undefined, pattern: Buffer): boolean {
  return payload !== undefined && payload.includes(pattern);
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
    if (res.typeUrl === TYPE_URL.ClusterLoadAssignment && res.resources.length > 0) {
      lastEds[i] = Buffer.concat(res.resources.map((r) => r.resource?.value ?? new Uint8Array()));
      const w = waitingFor;
      if (w && w.times[i] === undefined && contains(lastEds[i], w.pattern)) {
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
    const pattern = addressPattern(msg.address!);
    for (let i = 0; i < count; i++) {
      if (contains(lastEds[i], pattern)) {
        times[i] = now();
        remaining--;
      }
    }
    waitingFor = { pattern, address: msg.address!, times, remaining };
    process.send!({ kind: 'armed' });
    if (remaining === 0) process.send!({ kind: 'seen', address: msg.address, times });
  } else if (msg.kind === 'stop') {
    await Promise.all(clients.map((c) => c.close()));
    process.exit(0);
  }
});

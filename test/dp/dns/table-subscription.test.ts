import assert from 'node:assert/strict';
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { startDnsServer } from '../../../src/dp/dns/server.js';
import { sseParser, subscribeDnsTable } from '../../../src/dp/dns/table-subscription.js';
import type { DnsRecord } from '../../../src/dp/dns/answer-table.js';

const logger = pino({ level: 'silent' });

interface FakeCp {
  url: string;
  requests: { url: string; authorization?: string }[];
  /** Open streams, newest last. */
  streams: http.ServerResponse[];
  sendTable(records: DnsRecord[], stream?: http.ServerResponse): void;
  close(): Promise<void>;
}

async function startFakeCp(opts: { rejectFirst?: number } = {}): Promise<FakeCp> {
  const requests: FakeCp['requests'] = [];
  const streams: http.ServerResponse[] = [];
  let rejected = 0;
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (rejected < (opts.rejectFirst ?? 0)) {
      rejected++;
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': connected\n\n');
    streams.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    streams,
    sendTable(records, stream = streams[streams.length - 1]) {
      stream!.write(`event: table\ndata: ${JSON.stringify({ ttl: 30, records })}\n\n`);
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sseParser', () => {
  it('assembles events across chunks, joins data lines and skips comments', () => {
    const events: { event: string; data: string }[] = [];
    const feed = sseParser((e) => events.push(e));
    feed(': hello\n\nevent: tab');
    feed('le\ndata: {"a":\r\ndata: 1}\n');
    assert.deepEqual(events, []);
    feed('\ndata: plain\n\n');
    assert.deepEqual(events, [
      { event: 'table', data: '{"a":\n1}' },
      { event: 'message', data: 'plain' },
    ]);
  });
});

describe('subscribeDnsTable', () => {
  it('requests the table for the Dataplane with its token and delivers each table', async () => {
    const cp = await startFakeCp();
    const tables: DnsRecord[][] = [];
    const sub = subscribeDnsTable({ cpAddress: cp.url, mesh: 'default', name: 'web-1', token: 'tok', onTable: (r) => tables.push(r), logger });
    try {
      await eventually(() => cp.streams.length === 1);
      assert.equal(cp.requests[0]!.url, '/dns?mesh=default&name=web-1');
      assert.equal(cp.requests[0]!.authorization, 'Bearer tok');
      cp.sendTable([{ name: 'backend.mesh', ips: ['240.0.0.1'] }]);
      await eventually(() => tables.length === 1);
      cp.streams[0]!.write('event: table\ndata: {"records": "nope"}\n\n'); // invalid, ignored
      cp.sendTable([{ name: 'backend.mesh', ips: ['240.0.0.5'] }, { name: 'web.mesh', ips: ['240.0.0.6'] }]);
      await eventually(() => tables.length === 2);
      assert.deepEqual(tables, [
        [{ name: 'backend.mesh', ips: ['240.0.0.1'] }],
        [{ name: 'backend.mesh', ips: ['240.0.0.5'] }, { name: 'web.mesh', ips: ['240.0.0.6'] }],
      ]);
    } finally {
      sub.close();
      await cp.close();
    }
  });

  it('reconnects after errors and when the stream ends', async () => {
    const cp = await startFakeCp({ rejectFirst: 2 });
    const tables: DnsRecord[][] = [];
    const sub = subscribeDnsTable({ cpAddress: cp.url, mesh: 'm', name: 'n', onTable: (r) => tables.push(r), logger, initialBackoffMs: 20, maxBackoffMs: 50 });
    try {
      await eventually(() => cp.streams.length === 1);
      assert.equal(cp.requests.length, 3);
      cp.streams[0]!.end();
      await eventually(() => cp.streams.length === 2);
      cp.sendTable([{ name: 'a.mesh', ips: ['240.0.0.1'] }]);
      await eventually(() => tables.length === 1);
    } finally {
      sub.close();
      await cp.close();
    }
  });

  it('stops reconnecting once closed', async () => {
    const cp = await startFakeCp();
    const sub = subscribeDnsTable({ cpAddress: cp.url, mesh: 'm', name: 'n', onTable: () => {}, logger, initialBackoffMs: 10 });
    await eventually(() => cp.streams.length === 1);
    sub.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(cp.requests.length, 1);
    await cp.close();
  });

  it('feeds the DNS server live: names appear and change as the control plane pushes tables', async () => {
    const cp = await startFakeCp();
    const server = await startDnsServer({ host: '127.0.0.1', port: 0, ttl: 30, ipFamilyMode: 'DualStack', upstreams: [], logger });
    const sub = subscribeDnsTable({ cpAddress: cp.url, mesh: 'default', name: 'web-1', onTable: (r) => server.setTable(r), logger });
    const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    const lookup = (name: string) => resolver.resolve4(name).catch((e: NodeJS.ErrnoException) => e.code);
    try {
      await eventually(() => cp.streams.length === 1);
      assert.equal(await lookup('backend.mesh'), 'ENOTFOUND');
      cp.sendTable([{ name: 'backend.mesh', ips: ['240.0.0.1'] }]);
      await eventually(async () => JSON.stringify(await lookup('backend.mesh')) === '["240.0.0.1"]');
      cp.sendTable([{ name: 'backend.mesh', ips: ['240.0.0.7'] }]);
      await eventually(async () => JSON.stringify(await lookup('backend.mesh')) === '["240.0.0.7"]');
      assert.deepEqual(await resolver.resolve6('backend.mesh'), ['::ffff:240.0.0.7']);
    } finally {
      sub.close();
      await server.close();
      await cp.close();
    }
  });
});

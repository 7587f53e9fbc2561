import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startDnsServer, type DnsServer, type IpFamilyMode } from '../../../src/dp/dns/server.js';
import { buildQuery, parseAnswer, startFakeUpstream, tcpExchange, udpExchange, type FakeUpstream } from './wire.js';

const logger = pino({ level: 'silent' });
const TABLE = [
  { name: 'backend.mesh', ips: ['240.0.0.1'] },
  { name: 'backend_kuma-demo_svc_8080.mesh', ips: ['240.0.0.2'] },
  { name: 'backend.kuma-demo.svc.8080.mesh', ips: ['240.0.0.2'] },
  { name: 'httpbin.org', ips: ['240.0.0.3'] },
];

function resolverFor(port: number): dns.promises.Resolver {
  const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
}

async function withServer(mode: IpFamilyMode, upstreams: string[], body: (server: DnsServer) => Promise<void>): Promise<void> {
  const server = await startDnsServer({ host: '127.0.0.1', port: 0, ttl: 30, ipFamilyMode: mode, upstreams, upstreamTimeoutMs: 300, logger });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

describe('DNS server', () => {
  let upstream: FakeUpstream;
  let server: DnsServer;
  let resolver: dns.promises.Resolver;

  before(async () => {
    upstream = await startFakeUpstream();
    server = await startDnsServer({ host: '127.0.0.1', port: 0, ttl: 30, ipFamilyMode: 'DualStack', upstreams: [`127.0.0.1:${upstream.port}`], logger });
    server.setTable(TABLE);
    resolver = resolverFor(server.port);
  });
  after(async () => {
    await server.close();
    await upstream.close();
  });

  it('answers A for a mesh name with the VIP and TTL 30', async () => {
    assert.deepEqual(await resolver.resolve4('backend.mesh', { ttl: true }), [{ address: '240.0.0.1', ttl: 30 }]);
  });

  it('answers AAAA with the IPv4-mapped VIP when IPv6 is enabled', async () => {
    assert.deepEqual(await resolver.resolve6('backend.mesh', { ttl: true }), [{ address: '::ffff:240.0.0.1', ttl: 30 }]);
  });

  it('answers both the service name and its "_" to "." variant', async () => {
    assert.deepEqual(await resolver.resolve4('backend_kuma-demo_svc_8080.mesh'), ['240.0.0.2']);
    assert.deepEqual(await resolver.resolve4('backend.kuma-demo.svc.8080.mesh'), ['240.0.0.2']);
  });

  it('matches mesh names without regard to case, echoing the question', async () => {
    const answer = parseAnswer(await udpExchange(server.port, buildQuery(7, 'BackEnd.MESH', 1)));
    assert.equal(answer.id, 7);
    assert.equal(answer.authoritative, true);
    assert.deepEqual(answer.answers.map((a) => [...a.data].join('.')), ['240.0.0.1']);
  });

  it('answers NXDOMAIN for unknown mesh names and never forwards them', async () => {
    const before = upstream.seen.length;
    assert.equal(await errorCode(resolver.resolve4('unknown.mesh')), 'ENOTFOUND');
    assert.equal(await errorCode(resolver.resolve6('other.unknown.mesh')), 'ENOTFOUND');
    assert.equal(upstream.seen.length, before);
  });

  it('answers other record types of a known mesh name with no data', async () => {
    assert.equal(await errorCode(resolver.resolveTxt('backend.mesh')), 'ENODATA');
  });

  it('answers table names outside the mesh domain (external hosts)', async () => {
    assert.deepEqual(await resolver.resolve4('httpbin.org'), ['240.0.0.3']);
  });

  it('forwards other names to the upstream resolver', async () => {
    assert.deepEqual(await resolver.resolve4('example.test'), ['192.0.2.10']);
    assert.ok(upstream.seen.includes('udp:example.test'));
    assert.equal(await errorCode(resolver.resolve4('nowhere.test')), 'ENOTFOUND');
  });

  it('repeats a truncated upstream answer over TCP', async () => {
    assert.deepEqual(await resolver.resolve4('big.test'), ['192.0.2.99']);
    assert.ok(upstream.seen.includes('udp:big.test'));
    assert.ok(upstream.seen.includes('tcp:big.test'));
  });

  it('serves queries over TCP, several on one connection', async () => {
    const a = parseAnswer(await tcpExchange(server.port, buildQuery(1, 'backend.mesh', 1)));
    assert.deepEqual(a.answers.map((r) => [r.type, r.ttl, [...r.data].join('.')]), [[1, 30, '240.0.0.1']]);
    const nx = parseAnswer(await tcpExchange(server.port, buildQuery(2, 'missing.mesh', 1)));
    assert.equal(nx.rcode, 3);
    const forwarded = parseAnswer(await tcpExchange(server.port, buildQuery(3, 'example.test', 1)));
    assert.deepEqual(forwarded.answers.map((r) => [...r.data].join('.')), ['192.0.2.10']);

    const net = await import('node:net');
    const answers = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: server.port });
      let received = Buffer.alloc(0);
      socket.on('error', reject);
      const frame = (q: Buffer) => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]);
      socket.on('connect', () => socket.write(Buffer.concat([frame(buildQuery(10, 'backend.mesh', 1)), frame(buildQuery(11, 'backend.mesh', 28))])));
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const first = received.length >= 2 ? 2 + received.readUInt16BE(0) : Infinity;
        if (received.length >= first + 2 && received.length >= first + 2 + received.readUInt16BE(first)) {
          socket.destroy();
          resolve(received);
        }
      });
    });
    const firstLength = answers.readUInt16BE(0);
    const ids = [parseAnswer(answers.subarray(2, 2 + firstLength)).id, parseAnswer(answers.subarray(4 + firstLength)).id].sort();
    assert.deepEqual(ids, [10, 11]);
  });

  it('serves table updates from setTable immediately', async () => {
    const local = await startDnsServer({ host: '127.0.0.1', port: 0, ttl: 30, ipFamilyMode: 'IPv4', upstreams: [], logger });
    try {
      const r = resolverFor(local.port);
      assert.equal(await errorCode(r.resolve4('web.mesh')), 'ENOTFOUND');
      local.setTable([{ name: 'web.mesh', ips: ['240.0.0.9'] }]);
      assert.deepEqual(await r.resolve4('web.mesh'), ['240.0.0.9']);
      local.setTable([{ name: 'web.mesh', ips: ['240.0.0.10'] }]);
      assert.deepEqual(await r.resolve4('web.mesh'), ['240.0.0.10']);
      local.setTable([]);
      assert.equal(await errorCode(r.resolve4('web.mesh')), 'ENOTFOUND');
    } finally {
      await local.close();
    }
  });
});

describe('DNS server IP family modes', () => {
  const table = [{ name: 'backend.mesh', ips: ['240.0.0.1'] }];

  it('IPv4: A only, AAAA has no data', async () => {
    await withServer('IPv4', [], async (s) => {
      s.setTable(table);
      const r = resolverFor(s.port);
      assert.deepEqual(await r.resolve4('backend.mesh'), ['240.0.0.1']);
      assert.equal(await errorCode(r.resolve6('backend.mesh')), 'ENODATA');
    });
  });

  it('DualStack: A and the IPv4-mapped AAAA', async () => {
    await withServer('DualStack', [], async (s) => {
      s.setTable(table);
      const r = resolverFor(s.port);
      assert.deepEqual(await r.resolve4('backend.mesh'), ['240.0.0.1']);
      assert.deepEqual(await r.resolve6('backend.mesh'), ['::ffff:240.0.0.1']);
    });
  });

  it('IPv6: the IPv4-mapped AAAA only', async () => {
    await withServer('IPv6', [], async (s) => {
      s.setTable(table);
      const r = resolverFor(s.port);
      assert.equal(await errorCode(r.resolve4('backend.mesh')), 'ENODATA');
      assert.deepEqual(await r.resolve6('backend.mesh'), ['::ffff:240.0.0.1']);
    });
  });

  it('does not duplicate a mapped address the table already carries, and keeps explicit IPv6 addresses', async () => {
    await withServer('DualStack', [], async (s) => {
      s.setTable([{ name: 'backend.mesh', ips: ['240.0.0.1', '::ffff:240.0.0.1', 'fd00::1'] }]);
      const r = resolverFor(s.port);
      assert.deepEqual((await r.resolve6('backend.mesh')).sort(), ['::ffff:240.0.0.1', 'fd00::1']);
    });
  });
});

describe('DNS server upstream failures', () => {
  it('answers SERVFAIL when no upstream answers', async () => {
    // a bound socket that never replies stands in for a dead resolver
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    try {
      await withServer('IPv4', [`127.0.0.1:${silent.address().port}`], async (s) => {
        const answer = parseAnswer(await udpExchange(s.port, buildQuery(5, 'example.test', 1)));
        assert.equal(answer.id, 5);
        assert.equal(answer.rcode, 2);
      });
    } finally {
      silent.close();
    }
  });

  it('tries the next upstream when the first does not answer', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const upstream = await startFakeUpstream();
    try {
      await withServer('IPv4', [`127.0.0.1:${silent.address().port}`, `127.0.0.1:${upstream.port}`], async (s) => {
        assert.deepEqual(await resolverFor(s.port).resolve4('example.test'), ['192.0.2.10']);
      });
    } finally {
      silent.close();
      await upstream.close();
    }
  });
});

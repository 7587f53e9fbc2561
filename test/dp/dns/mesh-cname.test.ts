/** Upstream CNAMEs to mesh names (a Kubernetes ExternalName Service pointing at `backend.mesh`). */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startDnsServer, type DnsServer } from '../../../src/dp/dns/server.js';
import { buildQuery, parseAnswer, udpExchange } from './wire.js';

const CNAME = 5;

function labels(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

/**
 * Answers like the cluster DNS does for ExternalName Services: a CNAME and nothing more (its
 * target is not resolvable upstream). Aliases of the form `a -> b`; the first record names the
 * question by pointer, as real servers do, and a chain's later records are uncompressed.
 */
const ALIASES: Record<string, string[]> = {
  'ext.demo.svc.cluster.local': ['backend.mesh'],
  'chain.demo.svc.cluster.local': ['ext.demo.svc.cluster.local', 'backend.mesh'],
  'stranger.demo.svc.cluster.local': ['unknown.mesh'],
  'outside.test': ['www.example.test'],
};

async function startAliasingUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, rinfo) => {
    const names: string[] = [];
    let offset = 12;
    while (query[offset] !== 0) {
      names.push(query.toString('latin1', offset + 1, offset + 1 + query[offset]!));
      offset += query[offset]! + 1;
    }
    const name = names.join('.').toLowerCase();
    const question = query.subarray(12, offset + 5);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(1, 4);
    const targets = ALIASES[name];
    if (!targets) {
      header.writeUInt16BE(0x8183, 2);
      socket.send(Buffer.concat([header, question]), rinfo.port, rinfo.address);
      return;
    }
    const records: Buffer[] = [];
    let owner: Buffer = Buffer.from([0xc0, 12]);
    for (const target of targets) {
      const data = labels(target);
      const fixed = Buffer.from([0, CNAME, 0, 1, 0, 0, 0, 45, data.length >> 8, data.length & 0xff]);
      records.push(Buffer.concat([owner, fixed, data]));
      owner = data;
    }
    // a real A record for a target outside the mesh
    if (name === 'outside.test') records.push(Buffer.concat([labels('www.example.test'), Buffer.from([0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 10])]));
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(records.length, 6);
    socket.send(Buffer.concat([header, question, ...records]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

describe('DNS server: upstream aliases of mesh names', () => {
  let upstream: Awaited<ReturnType<typeof startAliasingUpstream>>;
  let server: DnsServer;
  let resolver: dns.promises.Resolver;

  before(async () => {
    upstream = await startAliasingUpstream();
    server = await startDnsServer({
      host: '127.0.0.1',
      port: 0,
      ttl: 30,
      ipFamilyMode: 'DualStack',
      upstreams: [`127.0.0.1:${upstream.port}`],
      upstreamTimeoutMs: 500,
      logger: pino({ level: 'silent' }),
    });
    server.setTable([{ name: 'backend.mesh', ips: ['240.0.0.1'] }]);
    resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
  });
  after(async () => {
    await server.close();
    await upstream.close();
  });

  it('an ExternalName alias of a mesh name resolves to the mesh VIP', async () => {
    assert.deepEqual(await resolver.resolve4('ext.demo.svc.cluster.local', { ttl: true }), [{ address: '240.0.0.1', ttl: 30 }]);
    assert.deepEqual(await resolver.resolve6('ext.demo.svc.cluster.local'), ['::ffff:240.0.0.1']);
    assert.deepEqual(await resolver.resolveCname('ext.demo.svc.cluster.local'), ['backend.mesh']);
  });

  it('keeps the alias records, then the VIP under the mesh name', async () => {
    const answer = parseAnswer(await udpExchange(server.port, buildQuery(41, 'ext.demo.svc.cluster.local', 1)));
    assert.equal(answer.id, 41);
    assert.equal(answer.rcode, 0);
    assert.equal(answer.authoritative, false);
    assert.deepEqual(answer.answers.map((a) => [a.type, a.ttl]), [
      [CNAME, 45],
      [1, 30],
    ]);
    assert.deepEqual(answer.answers[0]!.data, labels('backend.mesh'));
    assert.deepEqual([...answer.answers[1]!.data], [240, 0, 0, 1]);
  });

  it('follows a chain of aliases', async () => {
    assert.deepEqual(await resolver.resolve4('chain.demo.svc.cluster.local'), ['240.0.0.1']);
  });

  it('relays other answers unchanged', async () => {
    const stranger = parseAnswer(await udpExchange(server.port, buildQuery(42, 'stranger.demo.svc.cluster.local', 1)));
    assert.deepEqual(stranger.answers.map((a) => a.type), [CNAME]);
    assert.deepEqual(await resolver.resolve4('outside.test'), ['192.0.2.10']);
  });
});

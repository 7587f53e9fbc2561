import assert from 'node:assert/strict';
import dns from 'node:dns';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { encodeAnswer, ipv6Bytes, MalformedMessage, parseQuery } from '../../../src/dp/dns/codec.js';
import { startDnsServer } from '../../../src/dp/dns/server.js';
import { buildQuery, parseAnswer, udpExchange } from './wire.js';

describe('DNS codec', () => {
  it('reads the first question and the EDNS payload size', () => {
    const query = buildQuery(0x1234, 'backend.mesh', 28);
    const plain = parseQuery(query);
    assert.equal(plain.id, 0x1234);
    assert.deepEqual(plain.question, { name: 'backend.mesh', type: 28, class: 1 });
    assert.equal(plain.udpPayloadSize, 512);

    const withOpt = Buffer.concat([query, Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0])]);
    withOpt.writeUInt16BE(1, 10);
    assert.equal(parseQuery(withOpt).udpPayloadSize, 1232);
  });

  it('rejects truncated messages', () => {
    assert.throws(() => parseQuery(buildQuery(1, 'backend.mesh', 1).subarray(0, 20)), MalformedMessage);
  });

  it('writes IPv6 addresses in all textual forms', () => {
    assert.equal(ipv6Bytes('::ffff:240.0.0.1').toString('hex'), '00000000000000000000fffff0000001');
    assert.equal(ipv6Bytes('fd00::1').toString('hex'), 'fd000000000000000000000000000001');
    assert.equal(ipv6Bytes('1:2:3:4:5:6:7:8').toString('hex'), '00010002000300040005000600070008');
    assert.equal(ipv6Bytes('::').toString('hex'), '0'.repeat(32));
  });

  it('writes answers that point at the question name', () => {
    const query = parseQuery(buildQuery(9, 'backend.mesh', 1));
    const answer = parseAnswer(encodeAnswer(query, 0, ['240.0.0.1', '240.0.0.2'], 30));
    assert.equal(answer.id, 9);
    assert.equal(answer.authoritative, true);
    assert.deepEqual(answer.answers.map((a) => [a.type, a.ttl, [...a.data].join('.')]), [
      [1, 30, '240.0.0.1'],
      [1, 30, '240.0.0.2'],
    ]);
  });

  it('truncates local answers too large for UDP; the resolver then gets them over TCP', async () => {
    const ips = Array.from({ length: 40 }, (_, i) => `240.0.1.${i + 1}`);
    const server = await startDnsServer({ host: '127.0.0.1', port: 0, ttl: 30, ipFamilyMode: 'DualStack', upstreams: [], logger: pino({ level: 'silent' }) });
    try {
      server.setTable([{ name: 'many.mesh', ips }]);
      const udp = parseAnswer(await udpExchange(server.port, buildQuery(3, 'many.mesh', 28)));
      assert.equal(udp.truncated, true);
      assert.equal(udp.answers.length, 0);
      const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([`127.0.0.1:${server.port}`]);
      assert.equal((await resolver.resolve6('many.mesh')).length, 40);
    } finally {
      await server.close();
    }
  });
});

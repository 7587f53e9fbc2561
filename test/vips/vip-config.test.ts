import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allocate } from '../../src/vips/allocation.js';
import { cidrContains, formatIpv4, parseCidr, parseIpv4 } from '../../src/vips/cidr.js';
import { decodeVipConfig, encodeVipConfig, meshOfVipConfig, vipConfigName } from '../../src/vips/vip-config.js';

describe('VIP config format', () => {
  it('names the table after the mesh and back', () => {
    assert.equal(vipConfigName('default'), 'kuma-default-dns-vips');
    assert.equal(meshOfVipConfig('kuma-my-mesh-dns-vips'), 'my-mesh');
    assert.equal(meshOfVipConfig('kuma-dns-vips'), undefined);
    assert.equal(meshOfVipConfig('something-else'), undefined);
  });

  it('reads service entries from a Kuma-written table and skips host and fqdn entries', () => {
    const kuma = JSON.stringify({
      '0:backend': { address: '240.0.0.1', outbounds: [{ Port: 0, TagSet: { 'kuma.io/service': 'backend' }, Origin: 'service' }] },
      '0:pending': { outbounds: [{ Port: 0, TagSet: { 'kuma.io/service': 'pending' }, Origin: 'service' }] },
      '1:httpbin.org': { address: '240.0.0.2', outbounds: [{ Port: 443, TagSet: { 'kuma.io/service': 'httpbin' }, Origin: 'external-service:httpbin' }] },
      '2:foo.bar': { address: '240.0.0.3', outbounds: [] },
    });
    assert.deepEqual([...decodeVipConfig(kuma)], [
      ['backend', '240.0.0.1'],
      ['pending', undefined],
    ]);
    assert.deepEqual([...decodeVipConfig('')], []);
    assert.throws(() => decodeVipConfig('[]'));
  });

  it('writes sorted keys, dropping the address of a service still waiting for one', () => {
    const text = encodeVipConfig(
      new Map([
        ['web', '240.0.0.1'],
        ['api', undefined],
      ]),
    );
    assert.equal(
      text,
      '{"0:api":{"outbounds":[{"Port":0,"TagSet":{"kuma.io/service":"api"},"Origin":"service"}]},' +
        '"0:web":{"address":"240.0.0.1","outbounds":[{"Port":0,"TagSet":{"kuma.io/service":"web"},"Origin":"service"}]}}',
    );
    assert.deepEqual([...decodeVipConfig(text)].sort(), [
      ['api', undefined],
      ['web', '240.0.0.1'],
    ]);
  });
});

describe('CIDR and allocation', () => {
  it('parses IPv4 CIDRs and rejects the rest', () => {
    assert.deepEqual(parseCidr('240.0.0.0/4'), { first: parseIpv4('240.0.0.0'), size: 2 ** 28 });
    assert.deepEqual(parseCidr('10.1.2.77/24'), { first: parseIpv4('10.1.2.0'), size: 256 });
    assert.equal(formatIpv4(parseIpv4('255.255.255.255')!), '255.255.255.255');
    for (const bad of ['240.0.0.0', '240.0.0/4', '240.0.0.0/33', '::/0', '256.0.0.0/8', '1.2.3.4/8/1']) {
      assert.throws(() => parseCidr(bad), /invalid IPv4 CIDR/, bad);
    }
    assert.ok(cidrContains(parseCidr('240.0.0.0/4'), parseIpv4('255.255.255.255')!));
    assert.ok(!cidrContains(parseCidr('240.0.0.0/4'), parseIpv4('239.255.255.255')!));
  });

  it('hands a doubly claimed address to the first service and moves the other', () => {
    const previous = new Map<string, string | undefined>([
      ['a', '10.0.0.1'],
      ['b', '10.0.0.1'],
    ]);
    const { entries, unallocated } = allocate(previous, ['a', 'b'], parseCidr('10.0.0.0/30'));
    assert.deepEqual([...entries], [
      ['a', '10.0.0.1'],
      ['b', '10.0.0.0'],
    ]);
    assert.deepEqual(unallocated, []);
  });

  it('uses every address of the pool, a /32 included', () => {
    const { entries, unallocated } = allocate(new Map(), ['a', 'b'], parseCidr('192.168.0.1/32'));
    assert.deepEqual([...entries], [
      ['a', '192.168.0.1'],
      ['b', undefined],
    ]);
    assert.deepEqual(unallocated, ['b']);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { equalIP, isIP, isUnspecifiedIP, parseAddr, parseIP } from '../../../src/core/go-compat/ip.js';

describe('parseIP (net.ParseIP)', () => {
  it('holds IPv4 as IPv4-mapped IPv6', () => {
    assert.deepEqual(parseIP('192.168.0.1'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 0, 1]);
    assert.ok(equalIP(parseIP('10.0.0.1')!, parseIP('::ffff:10.0.0.1')!));
  });

  it('expands IPv6 ellipses wherever they stand', () => {
    assert.deepEqual(parseIP('::1'), [...new Array(15).fill(0), 1]);
    assert.deepEqual(parseIP('fe80::'), [0xfe, 0x80, ...new Array(14).fill(0)]);
    assert.deepEqual(parseIP('1:2::7:8'), [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 8]);
    assert.deepEqual(parseIP('::'), new Array(16).fill(0));
  });

  for (const valid of ['0.0.0.0', '255.255.255.255', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4', 'ABCD::ef']) {
    it(`accepts ${valid}`, () => assert.equal(isIP(valid), true));
  }

  for (const invalid of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4', // leading zeros could be octal
    '256.0.0.1',
    '1.2.3.4 ',
    'example.com',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    '1:2:3:4:5:1.2.3.4', // embedded IPv4 in the wrong place
    ':1',
    '1:',
    'fe80::1%eth0', // zones are for netip only
    '%eth0',
  ]) {
    it(`rejects ${JSON.stringify(invalid)}`, () => assert.equal(isIP(invalid), false));
  }
});

describe('parseAddr (netip.ParseAddr)', () => {
  it('keeps IPv6 zones and tells IPv4 apart', () => {
    assert.deepEqual(parseAddr('fe80::1%eth0')?.zone, 'eth0');
    assert.equal(parseAddr('1.2.3.4')?.is4, true);
    assert.equal(parseAddr('::ffff:1.2.3.4')?.is4, false);
  });

  it('rejects an empty zone and a zone without address', () => {
    assert.equal(parseAddr('fe80::1%'), null);
    assert.equal(parseAddr('%25'), null);
  });
});

describe('isUnspecifiedIP', () => {
  it('is true for 0.0.0.0 and :: only', () => {
    assert.equal(isUnspecifiedIP(parseIP('0.0.0.0')!), true);
    assert.equal(isUnspecifiedIP(parseIP('::')!), true);
    assert.equal(isUnspecifiedIP(parseIP('::1')!), false);
    assert.equal(isUnspecifiedIP(parseIP('0.0.0.1')!), false);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  inboundListenerName,
  joinHostPort,
  localClusterName,
  outboundListenerName,
  sanitizeMetric,
} from '../../../src/xds/generate/names.js';
import { destinationClusterName } from '../../../src/xds/generate/subset-cluster-name.js';
import { DEFAULT_ROUTE_NAME } from '../../../src/xds/generate/outbound.js';
import { internalAddressesFromCidrs, effectiveInternalAddresses } from '../../../src/xds/generate/internal-addresses.js';

describe('resource names', () => {
  it('bracket IPv6 addresses as net.JoinHostPort does', () => {
    assert.equal(joinHostPort('fd00::1', 80), '[fd00::1]:80');
    assert.equal(inboundListenerName('::1', 8080), 'inbound:[::1]:8080');
    assert.equal(outboundListenerName('2001:db8::ff00:42:8329', 443), 'outbound:[2001:db8::ff00:42:8329]:443');
    assert.equal(outboundListenerName('127.0.0.1', 10001), 'outbound:127.0.0.1:10001');
    assert.equal(localClusterName(8080), 'localhost:8080');
  });

  it('sanitise stat names to [a-zA-Z_-0-9], one underscore per character', () => {
    assert.equal(sanitizeMetric('backend.kuma-system'), 'backend_kuma-system');
    assert.equal(sanitizeMetric('kuma:envoy:admin'), 'kuma_envoy_admin');
    assert.equal(sanitizeMetric('a/b é'), 'a_b__');
    assert.equal(sanitizeMetric('emoji😀x'), 'emoji_x');
  });
});

describe('subset cluster names', () => {
  it('are the service name when only the service tag is given', () => {
    assert.equal(destinationClusterName({ 'kuma.io/service': 'db' }), 'db');
  });

  it('hash every tag in key order: db + role=master → db-f7d9086d4169338b', () => {
    assert.equal(destinationClusterName({ 'kuma.io/service': 'db', role: 'master' }), 'db-f7d9086d4169338b');
    assert.equal(destinationClusterName({ role: 'master', 'kuma.io/service': 'db' }), 'db-f7d9086d4169338b');
    assert.equal(destinationClusterName({ 'kuma.io/service': 'db', role: 'replica' }), 'db-c182dd9f4bf584d7');
    assert.equal(destinationClusterName({ 'kuma.io/service': 'backend', region: 'us' }), 'backend-c72efb5be46fae6b');
  });
});

describe('the default route name', () => {
  it("is MeshHTTPRoute's hash of the catch-all match", () => {
    assert.equal(DEFAULT_ROUTE_NAME, '9Zuf5Tg79OuZcQITwBbQykxAk2u4fRKrwYn3//AL4Yo=');
  });
});

describe('internal addresses', () => {
  it('parse CIDRs as Kuma does, IPv6 in canonical form, dropping malformed ones', () => {
    assert.deepEqual(internalAddressesFromCidrs(['10.0.0.0/8', 'fc00:0:0::/7', '::1/128', 'nonsense', '1.2.3.4/33']), [
      { addressPrefix: '10.0.0.0', prefixLen: 8 },
      { addressPrefix: 'fc00::', prefixLen: 7 },
      { addressPrefix: '::1', prefixLen: 128 },
    ]);
  });

  it("default to Kuma's knownInternalCIDRs, fall back to loopback when empty, and drop IPv6 without IPv6", () => {
    assert.equal(effectiveInternalAddresses(undefined, true).length, 7);
    assert.deepEqual(effectiveInternalAddresses([], true), [
      { addressPrefix: '127.0.0.1', prefixLen: 32 },
      { addressPrefix: '::1', prefixLen: 128 },
    ]);
    assert.deepEqual(effectiveInternalAddresses([], false), [{ addressPrefix: '127.0.0.1', prefixLen: 32 }]);
    assert.deepEqual(
      effectiveInternalAddresses(undefined, false).map((a) => a.addressPrefix),
      ['10.0.0.0', '192.168.0.0', '172.16.0.0', '127.0.0.1'],
    );
  });
});

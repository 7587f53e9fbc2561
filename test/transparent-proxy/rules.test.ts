import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRules, CHAINS, familiesFor, renderRestore } from '../../src/transparent-proxy/rules.js';
import { defaultOptions } from '../../src/transparent-proxy/options.js';

const opts = (o: Parameters<typeof defaultOptions>[0] = {}) => defaultOptions({ kumaDpUid: 5678, ...o });
const chainRules = (lines: string[], chain: string) => lines.filter((l) => l.startsWith(`-A ${chain} `) || l.startsWith(`-I ${chain} `));
const stripComment = (line: string) => line.replace(/ -m comment --comment "(?:[^"\\]|\\.)*"/, '');

test('defaults create the four Kuma chains and redirect to 15006 / 15001', () => {
  const { nat, raw } = buildRules(opts());
  assert.deepEqual(nat.filter((l) => l.startsWith('-N ')), [
    '-N KUMA_MESH_INBOUND', '-N KUMA_MESH_OUTBOUND', '-N KUMA_MESH_INBOUND_REDIRECT', '-N KUMA_MESH_OUTBOUND_REDIRECT',
  ]);
  assert.deepEqual(chainRules(nat, CHAINS.inboundRedirect).map(stripComment), ['-A KUMA_MESH_INBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15006']);
  assert.deepEqual(chainRules(nat, CHAINS.outboundRedirect).map(stripComment), ['-A KUMA_MESH_OUTBOUND_REDIRECT -p tcp -j REDIRECT --to-ports 15001']);
  assert.deepEqual(chainRules(nat, 'PREROUTING').map(stripComment), ['-A PREROUTING -p tcp -j KUMA_MESH_INBOUND']);
  assert.deepEqual(chainRules(nat, 'OUTPUT').map(stripComment), ['-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND']);
  assert.deepEqual(raw, []);
});

test('the outbound chain handles loopback and the proxy uid in Kuma order', () => {
  assert.deepEqual(chainRules(buildRules(opts()).nat, CHAINS.outbound).map(stripComment), [
    '-A KUMA_MESH_OUTBOUND -s 127.0.0.6/32 -o lo -j RETURN',
    '-A KUMA_MESH_OUTBOUND -p tcp -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 5678 -j KUMA_MESH_INBOUND_REDIRECT',
    '-A KUMA_MESH_OUTBOUND -p tcp -o lo -m owner ! --uid-owner 5678 -j RETURN',
    '-A KUMA_MESH_OUTBOUND -m owner --uid-owner 5678 -j RETURN',
    '-A KUMA_MESH_OUTBOUND -d 127.0.0.1/32 -j RETURN',
    '-A KUMA_MESH_OUTBOUND -j KUMA_MESH_OUTBOUND_REDIRECT',
  ]);
});

test('custom ports and excluded ports', () => {
  const { nat } = buildRules(opts({ redirectInboundPort: 16006, redirectOutboundPort: 16001, excludeInboundPorts: [22, 9901], excludeOutboundPorts: [5432] }));
  assert.deepEqual(chainRules(nat, CHAINS.inbound).map(stripComment), [
    '-A KUMA_MESH_INBOUND -p tcp --dport 22 -j RETURN',
    '-A KUMA_MESH_INBOUND -p tcp --dport 9901 -j RETURN',
    '-A KUMA_MESH_INBOUND -p tcp -j KUMA_MESH_INBOUND_REDIRECT',
  ]);
  assert.equal(stripComment(chainRules(nat, CHAINS.outbound)[0]), '-A KUMA_MESH_OUTBOUND -p tcp --dport 5432 -j RETURN');
  assert.match(nat.join('\n'), /REDIRECT --to-ports 16006/);
  assert.match(nat.join('\n'), /REDIRECT --to-ports 16001/);
});

test('excluded IPs go to OUTPUT (destination) and the inbound chain (source), per family', () => {
  const o = opts({ excludeOutboundIps: ['10.0.0.0/8', 'fd00::/8'], excludeInboundIps: ['192.168.0.1', 'fe80::1'] });
  const v4 = buildRules(o, 'ipv4').nat;
  assert.deepEqual(chainRules(v4, 'OUTPUT').map(stripComment), ['-I OUTPUT 1 -d 10.0.0.0/8 -j RETURN', '-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND']);
  assert.equal(stripComment(chainRules(v4, CHAINS.inbound)[0]), '-A KUMA_MESH_INBOUND -s 192.168.0.1 -j RETURN');
  const v6 = buildRules(o, 'ipv6').nat;
  assert.equal(stripComment(chainRules(v6, 'OUTPUT')[0]), '-I OUTPUT 1 -d fd00::/8 -j RETURN');
  assert.equal(stripComment(chainRules(v6, CHAINS.inbound)[0]), '-A KUMA_MESH_INBOUND -s fe80::1 -j RETURN');
});

test('--redirect-inbound=false returns all inbound TCP traffic and keeps outbound redirection', () => {
  const { nat } = buildRules(opts({ redirectInbound: false, excludeInboundPorts: [22] }));
  assert.deepEqual(chainRules(nat, CHAINS.inbound).map(stripComment), ['-A KUMA_MESH_INBOUND -p tcp -j RETURN']);
  assert.match(chainRules(nat, CHAINS.inbound)[0], /inbound traffic redirection is disabled/);
  assert.equal(chainRules(nat, CHAINS.outbound).at(-1), chainRules(buildRules(opts()).nat, CHAINS.outbound).at(-1));
});

test('--redirect-dns captures only the resolv.conf servers of the family, with conntrack zones', () => {
  const { nat, raw } = buildRules(opts({ redirectDns: true, dnsServers: ['10.96.0.10', 'fd00::a'] }));
  assert.deepEqual(chainRules(nat, 'OUTPUT').map(stripComment), [
    '-I OUTPUT 1 -p udp --dport 53 -m owner --uid-owner 5678 -j RETURN',
    '-A OUTPUT -p tcp --dport 53 -m owner ! --uid-owner 5678 -j RETURN',
    '-I OUTPUT 2 -d 10.96.0.10 -p udp --dport 53 -j REDIRECT --to-ports 15053',
    '-A OUTPUT -p tcp -j KUMA_MESH_OUTBOUND',
  ]);
  assert.deepEqual(raw.map(stripComment), [
    '-A PREROUTING -s 10.96.0.10 -p udp --sport 53 -j CT --zone 1',
    '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 5678 -j CT --zone 1',
    '-A OUTPUT -p udp --sport 15053 -m owner --uid-owner 5678 -j CT --zone 2',
    '-A OUTPUT -d 10.96.0.10 -p udp --dport 53 -j CT --zone 2',
  ]);
});

test('--redirect-all-dns-traffic captures every DNS query on the chosen port', () => {
  const { nat, raw } = buildRules(opts({ redirectAllDnsTraffic: true, redirectDnsPort: 25053, skipDnsConntrackZoneSplit: true }));
  assert.ok(nat.map(stripComment).includes('-I OUTPUT 2 -p udp --dport 53 -j REDIRECT --to-ports 25053'));
  assert.deepEqual(raw, []);
});

test('a loopback name server also gets the localhost conntrack rule', () => {
  const { raw } = buildRules(opts({ redirectDns: true, dnsServers: ['127.0.0.53'] }));
  assert.ok(raw.map(stripComment).includes('-A OUTPUT -s 127.0.0.53 -d 127.0.0.1/32 -p udp -j CT --zone 1'));
});

test('IPv6 uses ::6 and ::1 for the loopback rules', () => {
  const text = buildRules(opts(), 'ipv6').nat.join('\n');
  assert.match(text, /-s ::6\/128 -o lo -j RETURN/);
  assert.match(text, /! -d ::1\/128/);
  assert.doesNotMatch(text, /127\.0\.0/);
});

test('every rule carries a Kuma-prefixed comment', () => {
  const rules = buildRules(opts({ redirectDns: true, dnsServers: ['10.0.0.2'] }));
  for (const line of [...rules.nat, ...rules.raw].filter((l) => !l.startsWith('-N '))) {
    assert.match(line, / -m comment --comment "kuma\/mesh\/transparent\/proxy\/[^"]+" /);
  }
});

test('renderRestore frames non-empty tables and families follow the mode', () => {
  assert.equal(renderRestore({ raw: [], nat: ['-N X'] }), '*nat\n-N X\nCOMMIT\n');
  assert.equal(renderRestore({ raw: ['-A OUTPUT -j CT --zone 1'], nat: ['-N X'] }), '*raw\n-A OUTPUT -j CT --zone 1\nCOMMIT\n*nat\n-N X\nCOMMIT\n');
  assert.deepEqual(familiesFor(opts({ ipFamilyMode: 'ipv4' })), ['ipv4']);
  assert.deepEqual(familiesFor(opts()), ['ipv4', 'ipv6']);
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasPython, NetnsLab, netnsUnavailable, normalisedSave } from './netns.js';

const unavailable = netnsUnavailable();
const PROXY_UID = 5678;
const APP_UID = 65534;

describe('transparent proxy redirection in a network namespace', { skip: unavailable ? `skipped: ${unavailable}` : false }, () => {
  describe('sidecar (inbound and outbound redirection)', () => {
    const lab = new NetnsLab();
    let before_: string;

    before(async () => {
      lab.setUp();
      // Unrelated rules that must survive install + uninstall.
      lab.exec(lab.a, ['iptables-restore', '--noflush'], [
        '*nat', ':APP_CHAIN - [0:0]', '-A OUTPUT -p udp --dport 9999 -j APP_CHAIN', '-A PREROUTING -p tcp --dport 2222 -j RETURN', 'COMMIT',
        '*raw', '-A OUTPUT -p udp --dport 9998 -j NOTRACK', 'COMMIT', '',
      ].join('\n'));
      before_ = normalisedSave(lab.exec(lab.a, ['iptables-save']));
      await lab.listen(lab.a, 15001, 'outbound', hasPython());
      await lab.listen(lab.a, 15006, 'inbound');
      await lab.listen(lab.a, 8080, 'app');
      await lab.listen(lab.b, 80, 'remote');
      lab.ferryctl(['install', 'transparent-proxy', '--kuma-dp-user', String(PROXY_UID), '--ip-family-mode', 'ipv4', '--redirect-dns']);
    });
    after(() => lab.tearDown());

    test('an application connection to a VIP lands on the outbound port', (t) => {
      const reply = lab.connect(lab.a, '240.0.0.1', 80, APP_UID);
      assert.equal(reply.label, 'outbound');
      if (!hasPython()) return t.diagnostic('python3 missing: original destination not checked');
      assert.equal(reply.originalDst, '240.0.0.1:80');
    });

    test('the proxy uid is not redirected', () => {
      assert.equal(lab.connect(lab.a, '240.0.0.1', 80, PROXY_UID).label, 'remote');
    });

    test('inbound connections from another namespace land on the inbound port', () => {
      assert.equal(lab.connect(lab.b, '10.77.0.1', 8080, 0).label, 'inbound');
    });

    test('installing twice is refused', () => {
      assert.throws(() => lab.ferryctl(['install', 'transparent-proxy', '--kuma-dp-user', String(PROXY_UID), '--ip-family-mode', 'ipv4']), /already installed/);
    });

    test('uninstall restores the previous rules exactly and stops redirection', () => {
      lab.ferryctl(['uninstall', 'transparent-proxy']);
      assert.equal(normalisedSave(lab.exec(lab.a, ['iptables-save'])), before_);
      assert.equal(lab.connect(lab.a, '240.0.0.1', 80, APP_UID).label, 'remote');
      assert.equal(lab.connect(lab.b, '10.77.0.1', 8080, 0).label, 'app');
    });
  });

  describe('delegated gateway (--redirect-inbound=false)', () => {
    const lab = new NetnsLab();

    before(async () => {
      lab.setUp();
      await lab.listen(lab.a, 15001, 'outbound');
      await lab.listen(lab.a, 15006, 'inbound');
      await lab.listen(lab.a, 8000, 'gateway');
      await lab.listen(lab.b, 80, 'remote');
      lab.ferryctl(['install', 'transparent-proxy', '--kuma-dp-user', String(PROXY_UID), '--ip-family-mode', 'ipv4', '--redirect-inbound=false']);
    });
    after(() => lab.tearDown());

    test('a connection to the gateway port reaches the gateway listener directly', () => {
      assert.equal(lab.connect(lab.b, '10.77.0.1', 8000, 0).label, 'gateway');
    });

    test('outbound traffic of the gateway host is still redirected', () => {
      assert.equal(lab.connect(lab.a, '240.0.0.1', 80, APP_UID).label, 'outbound');
    });
  });

  describe('dry run', () => {
    const lab = new NetnsLab();
    before(() => lab.setUp());
    after(() => lab.tearDown());

    test('prints the rules and changes nothing', () => {
      const saved = normalisedSave(lab.exec(lab.a, ['iptables-save']));
      const printed = lab.ferryctl(['install', 'transparent-proxy', '--kuma-dp-user', String(PROXY_UID), '--dry-run']);
      assert.match(printed, /-A KUMA_MESH_OUTBOUND_REDIRECT .* -j REDIRECT --to-ports 15001/);
      assert.match(printed, /### IPv6 ###/);
      assert.equal(normalisedSave(lab.exec(lab.a, ['iptables-save'])), saved);
      assert.doesNotMatch(lab.exec(lab.a, ['ip6tables-save']), /KUMA_MESH/);
    });
  });
});

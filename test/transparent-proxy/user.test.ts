import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePasswd, resolveKumaDpUid } from '../../src/transparent-proxy/user.js';
import { nameServersFrom } from '../../src/transparent-proxy/resolv-conf.js';

const passwd = parsePasswd('root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\nkuma-dp:x:5679:5679::/:/bin/false\n');

test('a numeric --kuma-dp-user is used as the uid', () => {
  assert.equal(resolveKumaDpUid('1234', passwd), 1234);
});

test('a username is resolved through passwd', () => {
  assert.equal(resolveKumaDpUid('nobody', passwd), 65534);
  assert.throws(() => resolveKumaDpUid('ghost', passwd), /user "ghost" does not exist/);
});

test('without a value the default uid, then the default username, is looked for', () => {
  assert.equal(resolveKumaDpUid(undefined, passwd), 5679);
  assert.equal(resolveKumaDpUid(undefined, [...passwd, { name: 'other', uid: 5678 }]), 5678);
  assert.throws(() => resolveKumaDpUid(undefined, passwd.slice(0, 2)), /--kuma-dp-user/);
});

test('name servers are read from resolv.conf', () => {
  assert.deepEqual(nameServersFrom('# c\nsearch svc\nnameserver 10.96.0.10\n  nameserver fd00::a\noptions ndots:5\n'), ['10.96.0.10', 'fd00::a']);
});

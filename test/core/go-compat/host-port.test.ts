import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitHostPort } from '../../../src/core/go-compat/host-port.js';

describe('splitHostPort (net.SplitHostPort)', () => {
  const ok: [string, string, string][] = [
    ['host:80', 'host', '80'],
    ['[::1]:80', '::1', '80'],
    ['[a]:80', 'a', '80'],
    [':80', '', '80'],
    ['host:', 'host', ''],
    ['host:http', 'host', 'http'], // the port is not checked
  ];
  for (const [input, host, port] of ok) {
    it(`splits ${input}`, () => assert.deepEqual(splitHostPort(input), { host, port }));
  }

  for (const bad of ['host', '::1:80', '[::1]', '[::1]80:1', '[a]b:80', 'a]:80', 'a[:80', '[a:80']) {
    it(`rejects ${bad}`, () => assert.equal(splitHostPort(bad), undefined));
  }
});

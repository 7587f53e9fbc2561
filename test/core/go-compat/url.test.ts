import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestUri } from '../../../src/core/go-compat/url.js';

describe('parseRequestUri (url.ParseRequestURI)', () => {
  const accepted: [string, { scheme: string; host: string; port: string }][] = [
    ['/metrics', { scheme: '', host: '', port: '' }],
    ['*', { scheme: '', host: '', port: '' }],
    ['/a%20b?x=%zz', { scheme: '', host: '', port: '' }], // the query is not checked
    ['http://example.com:9411/api', { scheme: 'http', host: 'example.com:9411', port: '9411' }],
    ['HTTP://Example.com/', { scheme: 'http', host: 'Example.com', port: '' }],
    ['http://example.com?q=1', { scheme: 'http', host: 'example.com', port: '' }],
    ['http://host:/', { scheme: 'http', host: 'host:', port: '' }],
    ['http://user:pa%20ss@host:1/', { scheme: 'http', host: 'host:1', port: '1' }],
    ['http://[::1]:9411/', { scheme: 'http', host: '[::1]:9411', port: '9411' }],
    ['http://[::ffff:1.2.3.4]/', { scheme: 'http', host: '[::ffff:1.2.3.4]', port: '' }],
    ['http://[fe80::1%25en0]:80/', { scheme: 'http', host: '[fe80::1%en0]:80', port: '80' }],
    ['http://caf%C3%A9.example/', { scheme: 'http', host: 'café.example', port: '' }],
    ['postgres://a:1,b:2/db', { scheme: 'postgres', host: 'a:1,b:2', port: '2' }], // only http(s) is strict about colons
    ['http:opaque', { scheme: 'http', host: '', port: '' }],
    ['mailto:a@b', { scheme: 'mailto', host: '', port: '' }],
  ];
  for (const [raw, expected] of accepted) {
    it(`accepts ${raw}`, () => assert.deepEqual(parseRequestUri(raw), expected));
  }

  const rejected: [string, string][] = [
    ['', 'empty'],
    ['metrics', 'relative path'],
    ['1http://x/', 'a scheme cannot start with a digit, so this is a relative path'],
    [':foo', 'missing protocol scheme'],
    ['/a\nb', 'control character'],
    ['/a%2', 'truncated escape'],
    ['/a%zz', 'bad escape'],
    ['http://a:b:80/', 'second colon in an http host'],
    ['http://host:port/', 'port not numeric'],
    ['http://exa mple.com/', 'space in host'],
    ['http://ex%41mple/', 'escaped ASCII in host'],
    ['http://[1.2.3.4]/', 'IPv4 in brackets'],
    ['http://[::1/', 'missing ]'],
    ['http://a[b/', 'bracket inside the host'],
    ['http://[::1]x/', 'junk after ]'],
    ['http://[fe80::1%25e%0An]/', 'newline escaped in zone'],
    ['http://us er@host/', 'space in userinfo'],
  ];
  for (const [raw, why] of rejected) {
    it(`rejects ${JSON.stringify(raw)} (${why})`, () => assert.equal(parseRequestUri(raw), null));
  }
});

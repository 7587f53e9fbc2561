/** `validFor` and the ferryctl flags of a token request, read as Kuma and kumactl read them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_VALID_FOR_MS, parseValidFor } from '../../src/tokens/valid-for.js';
import { parseTagFlags, parseValidForFlag } from '../../src/tokens/token-request-flags.js';

test('validFor is a Go duration; empty means ten years', () => {
  assert.deepEqual(parseValidFor('24h'), { ms: 24 * 3600_000 });
  assert.deepEqual(parseValidFor('1h30m0.5s'), { ms: 5400_500 });
  assert.deepEqual(parseValidFor(''), { ms: DEFAULT_VALID_FOR_MS });
  assert.equal(DEFAULT_VALID_FOR_MS, 315_360_000_000);
});

test('an invalid validFor carries time.ParseDuration’s reason', () => {
  assert.deepEqual(parseValidFor('abc'), { error: 'is invalid: time: invalid duration "abc"' });
  assert.deepEqual(parseValidFor('10'), { error: 'is invalid: time: missing unit in duration "10"' });
  assert.deepEqual(parseValidFor('1d'), { error: 'is invalid: time: unknown unit "d" in duration "1d"' });
  assert.deepEqual(parseValidFor('1h.'), { error: 'is invalid: time: invalid duration "1h."' });
  assert.deepEqual(parseValidFor('5é'), { error: 'is invalid: time: unknown unit "\\xc3\\xa9" in duration "5\\xc3\\xa9"' });
});

test('--tag takes key=v1,v2 or comma-separated pairs, like a string-to-string flag', () => {
  assert.deepEqual(parseTagFlags(['kuma.io/service=web,web-api']), { 'kuma.io/service': ['web', 'web-api'] });
  assert.deepEqual(parseTagFlags(['a=1,b=2', 'c=3']), { a: ['1'], b: ['2'], c: ['3'] });
  assert.deepEqual(parseTagFlags([]), {});
  assert.throws(() => parseTagFlags(['novalue']), /novalue must be formatted as key=value/);
});

test('--valid-for must be a non-zero duration', () => {
  assert.equal(parseValidForFlag('24h'), '24h');
  assert.throws(() => parseValidForFlag('0s'), /You must set a token validFor value/);
  assert.throws(() => parseValidForFlag('tomorrow'), /invalid argument "tomorrow" for "--valid-for" flag: time: invalid duration "tomorrow"/);
});

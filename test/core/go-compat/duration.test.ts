import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from '../../../src/core/go-compat/duration.js';

const SECOND = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;

describe('parseGoDuration (time.ParseDuration)', () => {
  const valid: [string, bigint][] = [
    ['0', 0n],
    ['-0', 0n],
    ['+0', 0n],
    ['0s', 0n],
    ['1h30m', 5400n * SECOND],
    ['1.5h', 5400n * SECOND],
    ['1m30s', 90n * SECOND],
    ['300ms', 300_000_000n],
    ['-2s', -2n * SECOND],
    ['+5s', 5n * SECOND],
    ['1ns', 1n],
    ['1us', 1000n],
    ['1µs', 1000n],
    ['1μs', 1000n],
    ['.5s', SECOND / 2n],
    ['1.s', SECOND],
    ['1h1h', 7200n * SECOND],
    ['0.1ns', 0n], // below a nanosecond is dropped
    ['1.0000000009s', SECOND], // so are digits past the ninth
    ['0.123456789s', 123_456_789n],
    ['2562047h47m16.854775807s', MAX_INT64],
    ['-2562047h47m16.854775808s', -MAX_INT64 - 1n],
    ['-9223372036854775808ns', -MAX_INT64 - 1n],
  ];
  for (const [text, nanos] of valid) {
    it(`reads ${text}`, () => assert.equal(parseGoDuration(text), nanos));
  }

  const invalid: [string, string][] = [
    ['', 'empty'],
    ['-', 'sign only'],
    ['1', 'missing unit'],
    ['1x', 'unknown unit'],
    ['1S', 'units are case-sensitive'],
    ['1d', 'no day unit'],
    ['.s', 'no digits'],
    ['1.5.5s', 'missing unit before the second dot'],
    ['1s 2s', 'space is not a unit'],
    ['s', 'unit without number'],
    ['2562047h47m16.854775808s', 'one nanosecond over int64'],
    ['9223372036854775808ns', 'over int64'],
    ['99999999999999999999s', 'overflows while reading digits'],
  ];
  for (const [text, why] of invalid) {
    it(`rejects ${JSON.stringify(text)} (${why})`, () => assert.equal(parseGoDuration(text), undefined));
  }
});

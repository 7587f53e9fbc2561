import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_DURATION_SECONDS,
  durationFromNanos,
  formatDuration,
  isValidDuration,
  isZeroDuration,
  parseDurationText,
} from '../../../src/core/go-compat/proto-duration.js';

describe('protobuf Duration JSON text', () => {
  it('parses seconds with up to nine fractional digits, the sign applying to both parts', () => {
    assert.deepEqual(parseDurationText('1.5s'), { seconds: 1n, nanos: 500_000_000n });
    assert.deepEqual(parseDurationText('-0.5s'), { seconds: 0n, nanos: -500_000_000n });
    assert.deepEqual(parseDurationText('-3s'), { seconds: -3n, nanos: 0n });
    assert.deepEqual(parseDurationText('315576000001s'), { seconds: 315_576_000_001n, nanos: 0n });
  });

  for (const text of ['1m', '1.0000000001s', '+1s', '.5s', '1.s', 's', '1 s', '']) {
    it(`does not read ${JSON.stringify(text)}`, () => assert.equal(parseDurationText(text), undefined));
  }

  const printed: [bigint, bigint, string][] = [
    [0n, 0n, '0s'],
    [90n, 0n, '90s'],
    [0n, 300_000_000n, '0.300s'],
    [1n, 500_000_000n, '1.500s'],
    [0n, 1_000n, '0.000001s'],
    [0n, 1n, '0.000000001s'],
    [0n, 120_000n, '0.000120s'],
    [-1n, -500_000_000n, '-1.500s'],
    [0n, -1_000_000n, '-0.001s'],
  ];
  for (const [seconds, nanos, text] of printed) {
    it(`prints ${text} with 0, 3, 6 or 9 fractional digits`, () => assert.equal(formatDuration({ seconds, nanos }), text));
  }

  it('splits nanoseconds the way Go does, truncating toward zero', () => {
    assert.deepEqual(durationFromNanos(-1_500_000_000n), { seconds: -1n, nanos: -500_000_000n });
    assert.deepEqual(durationFromNanos(90_000_000_000n), { seconds: 90n, nanos: 0n });
  });

  it('checks the range and sign agreement (Duration.CheckValid)', () => {
    assert.equal(isValidDuration({ seconds: MAX_DURATION_SECONDS, nanos: 999_999_999n }), true);
    assert.equal(isValidDuration({ seconds: -MAX_DURATION_SECONDS, nanos: -999_999_999n }), true);
    assert.equal(isValidDuration({ seconds: MAX_DURATION_SECONDS + 1n, nanos: 0n }), false);
    assert.equal(isValidDuration({ seconds: -MAX_DURATION_SECONDS - 1n, nanos: 0n }), false);
    assert.equal(isValidDuration({ seconds: 1n, nanos: -1n }), false);
    assert.equal(isValidDuration({ seconds: 0n, nanos: 1_000_000_000n }), false);
  });

  it('knows the zero duration', () => {
    assert.equal(isZeroDuration(parseDurationText('0.000s')!), true);
    assert.equal(isZeroDuration(parseDurationText('0.000000001s')!), false);
  });
});

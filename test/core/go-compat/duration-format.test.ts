import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration } from '../../../src/core/go-compat/duration-format.js';

test("prints durations as Go's time.Duration.String()", () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [1, '1ns'],
    [1_500, '1.5µs'],
    [500e6, '500ms'],
    [1.5e9, '1.5s'],
    [30e9, '30s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [-2e9, '-2s'],
  ];
  for (const [nanos, text] of cases) assert.equal(formatGoDuration(nanos), text, String(nanos));
});

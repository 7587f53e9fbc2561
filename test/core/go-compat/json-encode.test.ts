import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonNumberText, jsonStringText } from '../../../src/core/go-compat/json-encode.js';

describe('jsonStringText (encoding/json string encoding)', () => {
  it('escapes HTML-significant characters and line separators', () => {
    assert.equal(jsonStringText('<a&b>'), '"\\u003ca\\u0026b\\u003e"');
    assert.equal(jsonStringText('\u2028\u2029'), '"\\u2028\\u2029"');
  });

  it('uses short escapes where JSON has them, \\u00XX for other controls', () => {
    assert.equal(jsonStringText('"\\\n\r\t\b\f'), '"\\"\\\\\\n\\r\\t\\b\\f"');
    assert.equal(jsonStringText('\x01\x1f'), '"\\u0001\\u001f"');
  });

  it('keeps other text as is', () => {
    assert.equal(jsonStringText("é'/\x7f"), `"é'/\x7f"`);
  });
});

describe('jsonNumberText (encoding/json float64)', () => {
  it('prints like Go', () => {
    assert.deepEqual([0, -0, 1.5, 1e21, 1e20, 0.000001, 1e-7, -2].map(jsonNumberText), ['0', '-0', '1.5', '1e+21', '100000000000000000000', '0.000001', '1e-7', '-2']);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote } from '../../../src/core/go-compat/quote.js';

describe('goQuote (strconv.Quote)', () => {
  it('escapes quotes and backslashes', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  });

  it('uses the named escapes, then \\x for other ASCII controls', () => {
    assert.equal(goQuote('\x07\b\f\n\r\t\v'), '"\\a\\b\\f\\n\\r\\t\\v"');
    assert.equal(goQuote('\x01\x1f\x7f'), '"\\x01\\x1f\\x7f"');
  });

  it('keeps printable non-ASCII text and escapes the rest as \\u or \\U', () => {
    assert.equal(goQuote('é日本😀'), '"é日本😀"');
    assert.equal(goQuote('\u00a0\u0085\u200b'), '"\\u00a0\\u0085\\u200b"');
    assert.equal(goQuote('\u{e0001}'), '"\\U000e0001"');
  });

  it('prints a lone surrogate as U+FFFD, as Go receives it from JSON', () => {
    assert.equal(goQuote('a\ud800b'), '"a\ufffdb"');
  });

  it('quotes the empty string', () => {
    assert.equal(goQuote(''), '""');
  });
});

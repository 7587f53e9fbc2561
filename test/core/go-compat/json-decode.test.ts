import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonKind, scanJson, unmarshalTypeError } from '../../../src/core/go-compat/json-decode.js';

describe('scanJson (encoding/json syntax errors)', () => {
  it('returns the top-level kind and its text', () => {
    assert.deepEqual(scanJson(' 123 '), { kind: 'number', literal: '123' });
    assert.deepEqual(scanJson('"x"'), { kind: 'string', literal: '"x"' });
    assert.deepEqual(scanJson('-1.5e+3'), { kind: 'number', literal: '-1.5e+3' });
    assert.deepEqual(scanJson('{"a": [true, null]}'), { kind: 'object', literal: '{"a": [true, null]}' });
    assert.deepEqual(scanJson('null'), { kind: 'null', literal: 'null' });
  });

  const errors: [string, string][] = [
    ['', 'unexpected end of JSON input'],
    ['tru', 'unexpected end of JSON input'],
    ['1.', 'unexpected end of JSON input'],
    ['abc', "invalid character 'a' looking for beginning of value"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ['1 2', "invalid character '2' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', "invalid character '\"' after object key:value pair"],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['-a', "invalid character 'a' in numeric literal"],
    ['1.e', "invalid character 'e' after decimal point in numeric literal"],
    ['1e+', 'unexpected end of JSON input'],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
  ];
  for (const [text, message] of errors) {
    it(`reports ${JSON.stringify(text)}`, () => assert.deepEqual(scanJson(text), { error: message }));
  }
});

describe('unmarshalTypeError', () => {
  it('names the JSON kind Go reports', () => {
    assert.equal(unmarshalTypeError(1, 'string'), 'json: cannot unmarshal number into Go value of type string');
    assert.equal(unmarshalTypeError('1', 'uint32'), 'json: cannot unmarshal string into Go value of type uint32');
    assert.deepEqual([true, null, [], {}].map(jsonKind), ['bool', 'null', 'array', 'object']);
  });
});

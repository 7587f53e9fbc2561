import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goRegexpError } from '../../../src/core/go-compat/regexp-syntax.js';

describe('goRegexpError (regexp.Compile)', () => {
  for (const valid of ['', 'a|b', '(?s).*', '\\d+\\.\\d+', '[^a-z]', 'x{1000}', 'a{,2}', '[[:word:]]', '\\pZ', '(?:a)(b)']) {
    it(`compiles ${JSON.stringify(valid)}`, () => assert.equal(goRegexpError(valid), undefined));
  }

  const invalid: [string, string][] = [
    ['x{1001}', 'invalid repeat count: `{1001}`'],
    ['(?P<n>', 'missing closing ): `(?P<n>`'],
    ['++', 'missing argument to repetition operator: `+`'],
    ['\\8', 'invalid escape sequence: `\\8`'],
    ['x{2}*', 'invalid nested repetition operator: `{2}*`'],
    ['a)b(', 'unexpected ): `a)b(`'],
  ];
  for (const [expr, message] of invalid) {
    it(`rejects ${JSON.stringify(expr)}`, () => assert.equal(goRegexpError(expr), `error parsing regexp: ${message}`));
  }
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { base64CorruptOffset } from '../../../src/core/go-compat/base64.js';

const offset = (s: string) => base64CorruptOffset(Buffer.from(s, 'utf8'));

describe('base64CorruptOffset (base64.StdEncoding)', () => {
  for (const valid of ['', 'aGk=', 'YQ==', 'aGVsbG8h', 'YQ\n==', 'aG\r\nk=', 'aGk=\n']) {
    it(`decodes ${JSON.stringify(valid)}`, () => assert.equal(offset(valid), undefined));
  }

  const corrupt: [string, number][] = [
    ['a', 0],
    ['aGVsbG8', 4], // padding is required
    ['YQ=', 3], // one "=" short
    ['YQ=a', 2],
    ['Y===', 1],
    ['YQ==YQ==', 4], // nothing may follow the padding
    ['aG-k', 2], // URL alphabet is not standard
  ];
  for (const [input, at] of corrupt) {
    it(`stops ${JSON.stringify(input)} at ${at}`, () => assert.equal(offset(input), at));
  }
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spiffeIdProblem } from '../../src/policies/spiffe-id.js';

describe('SPIFFE ID syntax', () => {
  it('accepts IDs with and without a path', () => {
    for (const id of ['spiffe://trust.domain', 'spiffe://default/kong', 'spiffe://td/ns/backend-ns/sa/backend', 'spiffe://a_b-c.d/X.y_z-1']) {
      assert.equal(spiffeIdProblem(id), undefined, id);
    }
  });

  it('gives go-spiffe\u2019s reasons', () => {
    const cases: [string, string][] = [
      ['', 'cannot be empty'],
      ['some-service', 'scheme is missing or invalid'],
      ['SPIFFE://td', 'scheme is missing or invalid'],
      ['spiffe://', 'trust domain is missing'],
      ['spiffe:///path', 'trust domain is missing'],
      ['spiffe://Trust', 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores'],
      ['spiffe://td/a//b', 'path cannot contain empty segments'],
      ['spiffe://td/./b', 'path cannot contain dot segments'],
      ['spiffe://td/a/..', 'path cannot contain dot segments'],
      ['spiffe://td/a/', 'path cannot have a trailing slash'],
      ['spiffe://td/a b', 'path segment characters are limited to letters, numbers, dots, dashes, and underscores'],
    ];
    for (const [id, reason] of cases) assert.equal(spiffeIdProblem(id), reason, id);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDnsName } from '../../../src/core/go-compat/dns-name.js';

describe('isDnsName (govalidator.IsDNSName)', () => {
  const label63 = 'a'.repeat(63);
  for (const valid of ['localhost', 'a.b-c.example', 'under_score.io', 'trailing.dot.', 'trailing_', '1.2.3', '1.2.3.4.5', label63, `${label63}.${label63}`]) {
    it(`accepts ${valid.length > 40 ? `${valid.length} characters` : valid}`, () => assert.equal(isDnsName(valid), true));
  }

  for (const invalid of ['', '1.2.3.4', '::1', '-lead.example', 'a..b', 'sp ace', 'ünï.example', 'a'.repeat(64), '.leading']) {
    it(`rejects ${JSON.stringify(invalid.length > 40 ? `${invalid.length} characters` : invalid)}`, () => assert.equal(isDnsName(invalid), false));
  }

  it('limits the length without dots to 255 bytes', () => {
    const labels = (n: number) => Array.from({ length: n }, () => 'a'.repeat(51)).join('.');
    assert.equal(isDnsName(labels(5)), true); // 255 letters
    assert.equal(isDnsName(`${labels(5)}.b`), false); // 256 letters
  });
});

/** Value tests for string and bytes rules. */
import type { BytesRules, StringRules } from '../../../gen/validate/validate_pb.js';
import { ruleSet, type ValueTest } from './context.js';
import { membershipTests } from './ranges.js';
import { headerRegexTest, isAddress, isEmail, isHostname, isIp, isIpv4, isIpv6, isUuid, uriProblem } from './well-known.js';

/** Length in Unicode code points, which is what PGV calls runes. */
export function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * RE2 and JavaScript agree on the patterns Envoy uses; this only maps the RE2
 * spellings JavaScript lacks (leading flag groups, \A, \z, (?P<name>), \pL).
 */
export function re2ToRegExp(pattern: string): RegExp {
  let src = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1].includes('U')) throw new Error(`unsupported RE2 flag in pattern ${JSON.stringify(pattern)}`);
    flags = lead[1];
    src = src.slice(lead[0].length);
  }
  src = src
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}');
  try {
    return new RegExp(src, flags + 'u');
  } catch {
    return new RegExp(src, flags);
  }
}

const quote = (s: string) => JSON.stringify(s);

/** A length measure with cheap bounds, so most values never need the exact count. */
interface Measure {
  unit: string;
  exact(v: any): number;
  atLeast(v: any): number;
  atMost(v: any): number;
}

function lengthTests(m: Measure, exact: bigint | undefined, min: bigint | undefined, max: bigint | undefined): ValueTest[] {
  const unit = m.unit;
  if (exact !== undefined || (min !== undefined && max !== undefined && min === max)) {
    const n = Number(exact ?? min);
    return [(v) => (m.exact(v) === n ? undefined : `value length must be ${n} ${unit}`)];
  }
  const tests: ValueTest[] = [];
  const both = min !== undefined && max !== undefined;
  if (min !== undefined) {
    const lo = Number(min);
    const text = both ? `value length must be between ${lo} and ${Number(max)} ${unit}, inclusive` : `value length must be at least ${lo} ${unit}`;
    tests.push((v) => (m.atLeast(v) >= lo || m.exact(v) >= lo ? undefined : text));
  }
  if (max !== undefined) {
    const hi = Number(max);
    const text = both ? `value length must be between ${Number(min)} and ${hi} ${unit}, inclusive` : `value length must be at most ${hi} ${unit}`;
    tests.push((v) => (m.atMost(v) <= hi || m.exact(v) <= hi ? undefined : text));
  }
  return tests;
}

// A UTF-16 string of n units holds between n/2 and n code points, and between n and 3n UTF-8 bytes.
const runes: Measure = { unit: 'runes', exact: runeCount, atLeast: (s: string) => s.length >> 1, atMost: (s: string) => s.length };
const utf8Bytes: Measure = { unit: 'bytes', exact: (s: string) => Buffer.byteLength(s, 'utf8'), atLeast: (s: string) => s.length, atMost: (s: string) => s.length * 3 };
const byteLength = (b: Uint8Array) => b.length;
const rawBytes: Measure = { unit: 'bytes', exact: byteLength, atLeast: byteLength, atMost: byteLength };

export function stringTests(r: StringRules): ValueTest[] {
  const opt = (name: keyof StringRules) => (ruleSet(r, name) ? r[name] : undefined);
  const tests: ValueTest[] = [];
  const c = opt('const') as string | undefined;
  if (c !== undefined) tests.push((v) => (v === c ? undefined : `value must equal ${quote(c)}`));
  tests.push(...membershipTests(r.in, r.notIn, quote));
  tests.push(...lengthTests(runes, opt('len') as bigint, opt('minLen') as bigint, opt('maxLen') as bigint));
  tests.push(...lengthTests(utf8Bytes, opt('lenBytes') as bigint, opt('minBytes') as bigint, opt('maxBytes') as bigint));
  const prefix = opt('prefix') as string | undefined;
  if (prefix) tests.push((v) => (v.startsWith(prefix) ? undefined : `value does not have prefix ${quote(prefix)}`));
  const suffix = opt('suffix') as string | undefined;
  if (suffix) tests.push((v) => (v.endsWith(suffix) ? undefined : `value does not have suffix ${quote(suffix)}`));
  const contains = opt('contains') as string | undefined;
  if (contains) tests.push((v) => (v.includes(contains) ? undefined : `value does not contain substring ${quote(contains)}`));
  const notContains = opt('notContains') as string | undefined;
  if (notContains) tests.push((v) => (v.includes(notContains) ? `value contains substring ${quote(notContains)}` : undefined));
  const wk = wellKnownTest(r);
  if (wk) tests.push(wk);
  const pattern = opt('pattern') as string | undefined;
  if (pattern !== undefined && pattern !== '') {
    const re = re2ToRegExp(pattern);
    const text = `value does not match regex pattern ${quote(pattern)}`;
    tests.push((v) => (re.test(v) ? undefined : text));
  }
  if (!r.ignoreEmpty || tests.length === 0) return tests;
  return tests.map((t) => (v: string) => (v === '' ? undefined : t(v)));
}

function wellKnownTest(r: StringRules): ValueTest | undefined {
  const wk = r.wellKnown;
  if (wk.case === undefined || wk.value === false) return undefined;
  const is = (pred: (s: string) => boolean, text: string): ValueTest => (v) => (pred(v) ? undefined : text);
  switch (wk.case) {
    case 'hostname': return is(isHostname, 'value must be a valid hostname');
    case 'ip': return is(isIp, 'value must be a valid IP address');
    case 'ipv4': return is(isIpv4, 'value must be a valid IPv4 address');
    case 'ipv6': return is(isIpv6, 'value must be a valid IPv6 address');
    case 'address': return is(isAddress, 'value must be a valid hostname, or ip address');
    case 'email': return is(isEmail, 'value must be a valid email address');
    case 'uuid': return is(isUuid, 'value must be a valid UUID');
    case 'uri': return (v) => uriProblem(v, true);
    case 'uriRef': return (v) => uriProblem(v, false);
    case 'wellKnownRegex': return headerRegexTest(wk.value, r.strict);
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const hexLiteral = (b: Uint8Array) => `0x${hex(b)}`;

function startsWithBytes(v: Uint8Array, p: Uint8Array, at: number): boolean {
  if (at < 0 || at + p.length > v.length) return false;
  for (let i = 0; i < p.length; i++) if (v[at + i] !== p[i]) return false;
  return true;
}

export function bytesTests(r: BytesRules): ValueTest[] {
  const opt = (name: keyof BytesRules) => (ruleSet(r, name) ? r[name] : undefined);
  const tests: ValueTest[] = [];
  const c = opt('const') as Uint8Array | undefined;
  if (c !== undefined) {
    const want = hex(c);
    tests.push((v) => (hex(v) === want ? undefined : `value must equal ${hexLiteral(c)}`));
  }
  if (r.in.length > 0 || r.notIn.length > 0) {
    for (const t of membershipTests(r.in.map(hex), r.notIn.map(hex), (h) => `0x${h}`)) tests.push((v) => t(hex(v)));
  }
  tests.push(...lengthTests(rawBytes, opt('len') as bigint, opt('minLen') as bigint, opt('maxLen') as bigint));
  const prefix = opt('prefix') as Uint8Array | undefined;
  if (prefix?.length) tests.push((v) => (startsWithBytes(v, prefix, 0) ? undefined : `value does not have prefix ${hexLiteral(prefix)}`));
  const suffix = opt('suffix') as Uint8Array | undefined;
  if (suffix?.length) tests.push((v) => (startsWithBytes(v, suffix, v.length - suffix.length) ? undefined : `value does not have suffix ${hexLiteral(suffix)}`));
  const contains = opt('contains') as Uint8Array | undefined;
  if (contains?.length) {
    tests.push((v) => (Buffer.from(v).includes(Buffer.from(contains)) ? undefined : `value does not contain ${hexLiteral(contains)}`));
  }
  const pattern = opt('pattern') as string | undefined;
  if (pattern !== undefined && pattern !== '') {
    const re = re2ToRegExp(pattern);
    const text = `value does not match regex pattern ${quote(pattern)}`;
    tests.push((v) => (re.test(Buffer.from(v).toString('utf8')) ? undefined : text));
  }
  const wk = r.wellKnown;
  if (wk.case !== undefined && wk.value) {
    const [ok, text] = wk.case === 'ip'
      ? [(n: number) => n === 4 || n === 16, 'value must be a valid IP address']
      : wk.case === 'ipv4'
        ? [(n: number) => n === 4, 'value must be a valid IPv4 address']
        : [(n: number) => n === 16, 'value must be a valid IPv6 address'];
    tests.push((v) => (ok(v.length) ? undefined : text));
  }
  return tests;
}

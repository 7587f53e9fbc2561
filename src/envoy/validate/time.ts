/** Value tests for google.protobuf.Duration and Timestamp rules, compared as bigint nanoseconds. */
import type { Duration, Timestamp } from '@bufbuild/protobuf/wkt';
import type { DurationRules, TimestampRules } from '../../../gen/validate/validate_pb.js';
import type { ValueTest } from './context.js';
import { constTest, membershipTests, rangeTest } from './ranges.js';

const NANOS = 1_000_000_000n;
const MAX_DURATION_SECONDS = 315_576_000_000n;
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range protobuf allows.
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;

const nanosOf = (d: { seconds: bigint; nanos: number }) => d.seconds * NANOS + BigInt(d.nanos);

function validDuration(d: Duration): boolean {
  const s = d.seconds;
  const n = d.nanos;
  if (s < -MAX_DURATION_SECONDS || s > MAX_DURATION_SECONDS) return false;
  if (n <= -1e9 || n >= 1e9) return false;
  return !((s > 0n && n < 0) || (s < 0n && n > 0));
}

function validTimestamp(t: Timestamp): boolean {
  return t.seconds >= MIN_TIMESTAMP_SECONDS && t.seconds <= MAX_TIMESTAMP_SECONDS && t.nanos >= 0 && t.nanos < 1e9;
}

function fraction(nanos: bigint): string {
  if (nanos === 0n) return '';
  const digits = nanos.toString().padStart(9, '0');
  return `.${digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits}`;
}

/** Protobuf JSON spelling, e.g. 0s, 1.500s, -0.000001s. */
export function formatDuration(totalNanos: bigint): string {
  const neg = totalNanos < 0n;
  const abs = neg ? -totalNanos : totalNanos;
  return `${neg ? '-' : ''}${abs / NANOS}${fraction(abs % NANOS)}s`;
}

/** RFC 3339, e.g. 2024-01-02T03:04:05.5Z. */
export function formatTimestamp(totalNanos: bigint): string {
  let secs = totalNanos / NANOS;
  let rest = totalNanos % NANOS;
  if (rest < 0n) {
    rest += NANOS;
    secs -= 1n;
  }
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${base}${fraction(rest)}Z`;
}

export interface MessageValueRules {
  required: boolean;
  tests: ValueTest[];
}

export function durationRules(r: DurationRules): MessageValueRules {
  const ns = (d: Duration | undefined) => (d === undefined ? undefined : nanosOf(d));
  const inner: ValueTest[] = [];
  const c = ns(r.const);
  if (c !== undefined) inner.push(constTest(c, formatDuration));
  const range = rangeTest({ lt: ns(r.lt), lte: ns(r.lte), gt: ns(r.gt), gte: ns(r.gte) }, formatDuration);
  if (range) inner.push(range);
  inner.push(...membershipTests(r.in.map(nanosOf), r.notIn.map(nanosOf), formatDuration));
  const tests: ValueTest[] = [];
  tests.push((d: Duration) => {
    if (!validDuration(d)) return 'value is not a valid duration';
    const v = nanosOf(d);
    for (const t of inner) {
      const m = t(v);
      if (m !== undefined) return m;
    }
    return undefined;
  });
  return { required: r.required, tests };
}

export function timestampRules(r: TimestampRules, now: () => bigint = nowNanos): MessageValueRules {
  const ns = (t: Timestamp | undefined) => (t === undefined ? undefined : nanosOf(t));
  const inner: ValueTest[] = [];
  const c = ns(r.const);
  if (c !== undefined) inner.push(constTest(c, formatTimestamp));
  const range = rangeTest({ lt: ns(r.lt), lte: ns(r.lte), gt: ns(r.gt), gte: ns(r.gte) }, formatTimestamp);
  if (range) inner.push(range);
  const within = r.within === undefined ? undefined : nanosOf(r.within);
  const withinText = within === undefined ? '' : ` within ${formatDuration(within)}`;
  if (r.ltNow) {
    inner.push((v: bigint) => {
      const n = now();
      return v >= n || (within !== undefined && v < n - within) ? `value must be less than now${withinText}` : undefined;
    });
  } else if (r.gtNow) {
    inner.push((v: bigint) => {
      const n = now();
      return v <= n || (within !== undefined && v > n + within) ? `value must be greater than now${withinText}` : undefined;
    });
  } else if (within !== undefined) {
    inner.push((v: bigint) => {
      const n = now();
      return v < n - within || v > n + within ? `value must be within ${formatDuration(within)} of now` : undefined;
    });
  }
  const tests: ValueTest[] = [];
  tests.push((t: Timestamp) => {
    if (!validTimestamp(t)) return 'value is not a valid timestamp';
    const v = nanosOf(t);
    for (const test of inner) {
      const m = test(v);
      if (m !== undefined) return m;
    }
    return undefined;
  });
  return { required: r.required, tests };
}

function nowNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

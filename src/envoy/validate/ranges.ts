/**
 * PGV's comparison rules (const, lt/lte/gt/gte, in/not_in), shared by numbers,
 * durations and timestamps. Values are numbers or bigints; the caller converts
 * durations and timestamps to bigint nanoseconds first.
 */
import type { ValueTest } from './context.js';

type Ordered = number | bigint;

export interface Bounds<T extends Ordered> {
  lt?: T;
  lte?: T;
  gt?: T;
  gte?: T;
}

/**
 * When the upper bound is below the lower one PGV reads the pair as an
 * exclusive range ("outside"), otherwise as an inclusive one ("inside").
 */
export function rangeTest<T extends Ordered>(b: Bounds<T>, fmt: (v: T) => string): ValueTest | undefined {
  const { lt, lte, gt, gte } = b;
  if (lt !== undefined) {
    if (gt !== undefined) {
      return lt > gt
        ? (v) => (v <= gt || v >= lt ? `value must be inside range (${fmt(gt)}, ${fmt(lt)})` : undefined)
        : (v) => (v >= lt && v <= gt ? `value must be outside range [${fmt(lt)}, ${fmt(gt)}]` : undefined);
    }
    if (gte !== undefined) {
      return lt > gte
        ? (v) => (v < gte || v >= lt ? `value must be inside range [${fmt(gte)}, ${fmt(lt)})` : undefined)
        : (v) => (v >= lt && v < gte ? `value must be outside range [${fmt(lt)}, ${fmt(gte)})` : undefined);
    }
    return (v) => (v >= lt ? `value must be less than ${fmt(lt)}` : undefined);
  }
  if (lte !== undefined) {
    if (gt !== undefined) {
      return lte > gt
        ? (v) => (v <= gt || v > lte ? `value must be inside range (${fmt(gt)}, ${fmt(lte)}]` : undefined)
        : (v) => (v > lte && v <= gt ? `value must be outside range (${fmt(lte)}, ${fmt(gt)}]` : undefined);
    }
    if (gte !== undefined) {
      return lte > gte
        ? (v) => (v < gte || v > lte ? `value must be inside range [${fmt(gte)}, ${fmt(lte)}]` : undefined)
        : (v) => (v > lte && v < gte ? `value must be outside range (${fmt(lte)}, ${fmt(gte)})` : undefined);
    }
    return (v) => (v > lte ? `value must be less than or equal to ${fmt(lte)}` : undefined);
  }
  if (gt !== undefined) return (v) => (v <= gt ? `value must be greater than ${fmt(gt)}` : undefined);
  if (gte !== undefined) return (v) => (v < gte ? `value must be greater than or equal to ${fmt(gte)}` : undefined);
  return undefined;
}

export function constTest<T>(want: T, fmt: (v: T) => string): ValueTest {
  return (v) => (v === want ? undefined : `value must equal ${fmt(want)}`);
}

/** in / not_in over values comparable by identity (numbers, bigints, strings). */
export function membershipTests<T>(inList: readonly T[], notIn: readonly T[], fmt: (v: T) => string): ValueTest[] {
  const tests: ValueTest[] = [];
  const list = (xs: readonly T[]) => `[${xs.map(fmt).join(', ')}]`;
  if (inList.length > 0) {
    const allowed = new Set<unknown>(inList);
    const text = `value must be in list ${list(inList)}`;
    tests.push((v) => (allowed.has(v) ? undefined : text));
  }
  if (notIn.length > 0) {
    const denied = new Set<unknown>(notIn);
    const text = `value must not be in list ${list(notIn)}`;
    tests.push((v) => (denied.has(v) ? text : undefined));
  }
  return tests;
}

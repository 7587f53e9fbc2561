/** Value tests for numeric, bool and enum rules. */
import type { DescEnum } from '@bufbuild/protobuf';
import type { BoolRules, EnumRules } from '../../../gen/validate/validate_pb.js';
import { ruleSet, type ValueTest } from './context.js';
import { constTest, membershipTests, rangeTest } from './ranges.js';

export const numericRuleKinds = [
  'float', 'double', 'int32', 'int64', 'uint32', 'uint64',
  'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64',
] as const;
export type NumericRuleKind = (typeof numericRuleKinds)[number];

const wideKinds = new Set<string>(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** The shape every numeric rules message shares (number for 32-bit kinds, bigint for 64-bit ones). */
interface NumericRules {
  const: number | bigint;
  lt: number | bigint;
  lte: number | bigint;
  gt: number | bigint;
  gte: number | bigint;
  in: (number | bigint)[];
  notIn: (number | bigint)[];
}

export function numericTests(kind: NumericRuleKind, r: NumericRules): ValueTest[] {
  const tests: ValueTest[] = [];
  const opt = (name: keyof NumericRules) => (ruleSet(r, name) ? (r[name] as number | bigint) : undefined);
  const fmt = String;
  const c = opt('const');
  if (c !== undefined) tests.push(constTest(c, fmt));
  const range = rangeTest({ lt: opt('lt'), lte: opt('lte'), gt: opt('gt'), gte: opt('gte') }, fmt);
  if (range) tests.push(range);
  tests.push(...membershipTests(r.in, r.notIn, fmt));
  if (tests.length === 0) return tests;
  // 64-bit fields are bigints, or decimal strings under jstype=JS_STRING.
  if (wideKinds.has(kind)) return tests.map((t) => (v: unknown) => t(typeof v === 'bigint' ? v : BigInt(v as string)));
  // Rules hold float32 values; a float field built in memory holds a double until it is serialized.
  if (kind === 'float') return tests.map((t) => (v: number) => t(Math.fround(v)));
  return tests;
}

export function boolTests(r: BoolRules): ValueTest[] {
  return ruleSet(r, 'const') ? [constTest(r.const, String)] : [];
}

export function enumTests(r: EnumRules, desc: DescEnum): ValueTest[] {
  const tests: ValueTest[] = [];
  if (ruleSet(r, 'const')) tests.push(constTest(r.const, String));
  if (r.definedOnly) {
    const defined = new Set(desc.values.map((v) => v.number));
    tests.push((v) => (defined.has(v) ? undefined : 'value must be one of the defined enum values'));
  }
  tests.push(...membershipTests(r.in, r.notIn, String));
  return tests;
}

/** Which rule kind fits a scalar type, and the value tests a scalar rule kind compiles to. */
import { ScalarType, type DescEnum } from '@bufbuild/protobuf';
import type { FieldRules } from '../../../gen/validate/validate_pb.js';
import type { ValueTest } from './context.js';
import { boolTests, enumTests, numericRuleKinds, numericTests, type NumericRuleKind } from './numbers.js';
import { bytesTests, stringTests } from './strings.js';

export type RuleKind = NonNullable<FieldRules['type']['case']>;

const kindOfScalar: Record<ScalarType, RuleKind> = {
  [ScalarType.DOUBLE]: 'double',
  [ScalarType.FLOAT]: 'float',
  [ScalarType.INT64]: 'int64',
  [ScalarType.UINT64]: 'uint64',
  [ScalarType.INT32]: 'int32',
  [ScalarType.FIXED64]: 'fixed64',
  [ScalarType.FIXED32]: 'fixed32',
  [ScalarType.BOOL]: 'bool',
  [ScalarType.STRING]: 'string',
  [ScalarType.BYTES]: 'bytes',
  [ScalarType.UINT32]: 'uint32',
  [ScalarType.SFIXED32]: 'sfixed32',
  [ScalarType.SFIXED64]: 'sfixed64',
  [ScalarType.SINT32]: 'sint32',
  [ScalarType.SINT64]: 'sint64',
};

export function ruleKindOfScalar(t: ScalarType): RuleKind {
  return kindOfScalar[t];
}

const numeric = new Set<string>(numericRuleKinds);

/** Tests for a scalar or enum value under rules already known to fit its type. */
export function scalarTests(type: FieldRules['type'], enumDesc?: DescEnum): ValueTest[] {
  switch (type.case) {
    case 'bool':
      return boolTests(type.value);
    case 'string':
      return stringTests(type.value);
    case 'bytes':
      return bytesTests(type.value);
    case 'enum':
      if (!enumDesc) throw new Error('enum rules need the enum descriptor');
      return enumTests(type.value, enumDesc);
    default:
      if (type.case !== undefined && numeric.has(type.case)) return numericTests(type.case as NumericRuleKind, type.value as never);
      throw new Error(`rule kind ${String(type.case)} is not a scalar rule`);
  }
}

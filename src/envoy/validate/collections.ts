/** Checks for repeated and map fields: their own size rules, then each item, key and value. */
import { ScalarType } from '@bufbuild/protobuf';
import type { MapRules, RepeatedRules } from '../../../gen/validate/validate_pb.js';
import { child, mapKeySegment, report, ruleSet, type CheckContext, type ValueCheck } from './context.js';

function sizeProblem(
  n: number,
  min: bigint | undefined,
  max: bigint | undefined,
  one: string,
  many: string,
): string | undefined {
  const lo = min === undefined || min === 0n ? undefined : Number(min);
  const hi = max === undefined ? undefined : Number(max);
  if (lo !== undefined && hi !== undefined && lo === hi) return n === lo ? undefined : `value must contain exactly ${lo} ${one}`;
  if (lo !== undefined && hi !== undefined) return n < lo || n > hi ? `value must contain between ${lo} and ${hi} ${many}, inclusive` : undefined;
  if (lo !== undefined) return n < lo ? `value must contain at least ${lo} ${one}` : undefined;
  if (hi !== undefined) return n > hi ? `value must contain no more than ${hi} ${one}` : undefined;
  return undefined;
}

/** Identity of a list item for `unique`: scalars compare by value, bytes by content. */
function uniqueKey(v: unknown): unknown {
  return v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : v;
}

export function listCheck(rules: RepeatedRules | undefined, item: ValueCheck | undefined): ValueCheck | undefined {
  const min = rules && ruleSet(rules, 'minItems') ? rules.minItems : undefined;
  const max = rules && ruleSet(rules, 'maxItems') ? rules.maxItems : undefined;
  const unique = rules?.unique === true;
  const sized = min !== undefined || max !== undefined;
  if (!sized && !unique && !item) return undefined;
  return (list: unknown[], up, seg, ctx) => {
    if (sized) {
      const m = sizeProblem(list.length, min, max, 'item(s)', 'items');
      if (m !== undefined) report(ctx, up, seg, m);
    }
    if (list.length === 0) return;
    const at = child(up, seg);
    if (unique) {
      const seen = new Set<unknown>();
      for (let i = 0; i < list.length; i++) {
        const k = uniqueKey(list[i]);
        if (seen.has(k)) report(ctx, at, i, 'repeated value must contain unique items');
        else seen.add(k);
      }
    }
    if (item) for (let i = 0; i < list.length; i++) item(list[i], at, i, ctx);
  };
}

/** Map keys are object property names; key rules see them as the key field's type. */
export function mapKeyDecoder(keyType: ScalarType): (k: string) => unknown {
  switch (keyType) {
    case ScalarType.STRING:
      return (k) => k;
    case ScalarType.BOOL:
      return (k) => k === 'true';
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return (k) => BigInt(k);
    default:
      return (k) => Number(k);
  }
}

export function mapCheck(
  rules: MapRules | undefined,
  keyType: ScalarType,
  key: ValueCheck | undefined,
  value: ValueCheck | undefined,
): ValueCheck | undefined {
  const min = rules && ruleSet(rules, 'minPairs') ? rules.minPairs : undefined;
  const max = rules && ruleSet(rules, 'maxPairs') ? rules.maxPairs : undefined;
  const noSparse = rules?.noSparse === true;
  const sized = min !== undefined || max !== undefined;
  if (!sized && !noSparse && !key && !value) return undefined;
  const decodeKey = mapKeyDecoder(keyType);
  return (map: Record<string, unknown>, up, seg, ctx) => {
    const keys = Object.keys(map);
    if (sized) {
      const m = sizeProblem(keys.length, min, max, 'pair(s)', 'pairs');
      if (m !== undefined) report(ctx, up, seg, m);
    }
    if (keys.length === 0) return;
    const at = child(up, seg);
    let keyCtx: CheckContext | undefined;
    for (const k of keys) {
      const v = map[k];
      const kseg = mapKeySegment(k);
      if (noSparse && (v === undefined || v === null)) report(ctx, at, kseg, 'value cannot be sparse, all pairs must be non-nil');
      if (key) {
        keyCtx ??= { out: [], registry: ctx.registry };
        key(decodeKey(k), at, kseg, keyCtx);
        for (const kv of keyCtx.out) ctx.out.push({ path: kv.path, message: `invalid key: ${kv.message}` });
        keyCtx.out.length = 0;
      }
      if (value && v !== undefined && v !== null) value(v, at, kseg, ctx);
    }
  };
}

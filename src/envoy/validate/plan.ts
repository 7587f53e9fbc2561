/**
 * Per-message check plans. Each message type's rules are compiled once into a
 * list of closures (cached by descriptor); fields without rules, and message
 * fields whose types can hold no rules anywhere below, get no closure at all.
 */
import { fromBinary, getOption, hasOption, type DescEnum, type DescField, type DescMessage, type DescOneof, type ScalarType } from '@bufbuild/protobuf';
import { isWrapperDesc } from '@bufbuild/protobuf/wkt';
import type { Any } from '@bufbuild/protobuf/wkt';
import { disabled, required as oneofRequired, rules, type FieldRules } from '../../../gen/validate/validate_pb.js';
import { listCheck, mapCheck } from './collections.js';
import { checkFromTests, child, report, type CheckContext, type PathNode, type ValueCheck, type ValueTest } from './context.js';
import { membershipTests } from './ranges.js';
import { ruleKindOfScalar, scalarTests } from './scalar-rules.js';
import { durationRules, timestampRules } from './time.js';

/** Checks one message whose own path is `path` (undefined for the root). */
export type MessageCheck = (message: any, path: PathNode | undefined, ctx: CheckContext) => void;

const ANY = 'google.protobuf.Any';
const DURATION = 'google.protobuf.Duration';
const TIMESTAMP = 'google.protobuf.Timestamp';
// `(validate.ignored)`: newer than the validate.proto we generate from, so it is read as an unknown option.
const IGNORED_OPTION_NUMBER = 1072;

const nothingToCheck: MessageCheck = () => {};
const plans = new WeakMap<DescMessage, MessageCheck>();

export function messagePlan(desc: DescMessage): MessageCheck {
  let plan = plans.get(desc);
  if (plan === undefined) {
    plan = needsCheck(desc) ? buildPlan(desc) : nothingToCheck;
    plans.set(desc, plan);
  }
  return plan;
}

function validationOff(desc: DescMessage): boolean {
  if (hasOption(desc, disabled) && getOption(desc, disabled)) return true;
  const unknown = desc.proto.options?.$unknown ?? [];
  return unknown.some((u) => u.no === IGNORED_OPTION_NUMBER && u.wireType === 0 && u.data.some((b) => b !== 0));
}

function messageTypeOf(f: DescField): DescMessage | undefined {
  if (f.fieldKind === 'message') return f.message;
  if (f.fieldKind === 'list' && f.listKind === 'message') return f.message;
  if (f.fieldKind === 'map' && f.mapKind === 'message') return f.message;
  return undefined;
}

function hasOwnRules(desc: DescMessage): boolean {
  for (const f of desc.fields) {
    if (hasOption(f, rules)) return true;
    // Any contents are checked even without rules: an unknown type is itself a violation.
    if (messageTypeOf(f)?.typeName === ANY) return true;
  }
  return desc.oneofs.some((o) => hasOption(o, oneofRequired) && getOption(o, oneofRequired));
}

const needs = new WeakMap<DescMessage, boolean>();

/** Whether any rule can fire in this message or anything nested in it; handles recursive types. */
function needsCheck(root: DescMessage): boolean {
  const known = needs.get(root);
  if (known !== undefined) return known;
  const visited = new Set<DescMessage>();
  const stack = [root];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (visited.has(d)) continue;
    visited.add(d);
    const k = needs.get(d);
    if (k === false) continue;
    if (k === true || (!validationOff(d) && hasOwnRules(d))) {
      needs.set(d, true);
      needs.set(root, true);
      return true;
    }
    if (validationOff(d)) continue;
    for (const f of d.fields) {
      const m = messageTypeOf(f);
      if (m) stack.push(m);
    }
  }
  // Nothing reachable from root has rules, so the same holds for everything visited.
  for (const d of visited) needs.set(d, false);
  return false;
}

function buildPlan(desc: DescMessage): MessageCheck {
  if (validationOff(desc)) return nothingToCheck;
  const checks: MessageCheck[] = [];
  for (const f of desc.fields) {
    if (f.oneof) continue;
    const c = fieldCheck(f);
    if (c) checks.push(c);
  }
  for (const o of desc.oneofs) {
    const c = oneofCheck(o);
    if (c) checks.push(c);
  }
  if (checks.length === 0) return nothingToCheck;
  return (msg, path, ctx) => {
    for (let i = 0; i < checks.length; i++) checks[i](msg, path, ctx);
  };
}

function fieldRules(f: DescField): FieldRules | undefined {
  return hasOption(f, rules) ? getOption(f, rules) : undefined;
}

function fieldCheck(f: DescField): MessageCheck | undefined {
  const check = valueCheckOfField(f);
  if (!check) return undefined;
  const name = f.name;
  const local = f.localName;
  if (f.proto.proto3Optional) {
    return (msg, path, ctx) => {
      const v = msg[local];
      if (v !== undefined) check(v, path, name, ctx);
    };
  }
  return (msg, path, ctx) => check(msg[local], path, name, ctx);
}

function oneofCheck(o: DescOneof): MessageCheck | undefined {
  const members = new Map<string, { name: string; check: ValueCheck }>();
  for (const f of o.fields) {
    const check = valueCheckOfField(f);
    if (check) members.set(f.localName, { name: f.name, check });
  }
  const isRequired = hasOption(o, oneofRequired) && getOption(o, oneofRequired);
  if (!isRequired && members.size === 0) return undefined;
  const local = o.localName;
  const name = o.name;
  return (msg, path, ctx) => {
    const sel = msg[local] as { case: string | undefined; value?: unknown };
    if (sel.case === undefined) {
      if (isRequired) report(ctx, path, name, 'value is required');
      return;
    }
    const m = members.get(sel.case);
    if (m) m.check(sel.value, path, m.name, ctx);
  };
}

type ElementType =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'enum'; enum: DescEnum }
  // unboxed: a wrapper held as its plain value (singular fields outside oneofs).
  | { kind: 'message'; message: DescMessage; unboxed: boolean };

function mismatch(f: DescField, kind: string | undefined): Error {
  return new Error(`${f.parent.typeName}.${f.name}: validate rules of kind "${kind}" do not apply to this field`);
}

function elementTypeOf(f: DescField, kind: 'scalar' | 'enum' | 'message'): ElementType {
  if (kind === 'scalar') return { kind, scalar: f.scalar! };
  if (kind === 'enum') return { kind, enum: f.enum! };
  return { kind, message: f.message!, unboxed: false };
}

function valueCheckOfField(f: DescField): ValueCheck | undefined {
  const r = fieldRules(f);
  switch (f.fieldKind) {
    case 'scalar':
      return elementCheck(f, { kind: 'scalar', scalar: f.scalar }, r);
    case 'enum':
      return elementCheck(f, { kind: 'enum', enum: f.enum }, r);
    case 'message':
      return elementCheck(f, { kind: 'message', message: f.message, unboxed: !f.oneof && isWrapperDesc(f.message) }, r);
    case 'list': {
      if (r?.type.case !== undefined && r.type.case !== 'repeated') throw mismatch(f, r.type.case);
      const rr = r?.type.case === 'repeated' ? r.type.value : undefined;
      return listCheck(rr, elementCheck(f, elementTypeOf(f, f.listKind), rr?.items));
    }
    case 'map': {
      if (r?.type.case !== undefined && r.type.case !== 'map') throw mismatch(f, r.type.case);
      const mr = r?.type.case === 'map' ? r.type.value : undefined;
      const key = elementCheck(f, { kind: 'scalar', scalar: f.mapKey }, mr?.keys);
      return mapCheck(mr, f.mapKey, key, elementCheck(f, elementTypeOf(f, f.mapKind), mr?.values));
    }
  }
}

/** The check for one value (a field, a list item, a map key or value) of the given type. */
function elementCheck(f: DescField, t: ElementType, r: FieldRules | undefined): ValueCheck | undefined {
  if (t.kind === 'message') return messageValueCheck(f, t.message, t.unboxed, r);
  const kind = r?.type.case;
  if (kind === undefined) return undefined;
  const expected = t.kind === 'enum' ? 'enum' : ruleKindOfScalar(t.scalar);
  if (kind !== expected) throw mismatch(f, kind);
  return checkFromTests(scalarTests(r!.type, t.kind === 'enum' ? t.enum : undefined));
}

function messageValueCheck(f: DescField, desc: DescMessage, unboxed: boolean, r: FieldRules | undefined): ValueCheck | undefined {
  let required = r?.message?.required === true;
  const skip = r?.message?.skip === true;
  let tests: ValueTest[] = [];
  const type = r?.type;
  if (type?.case !== undefined) {
    if (isWrapperDesc(desc)) {
      if (type.case !== ruleKindOfScalar(desc.fields[0].scalar)) throw mismatch(f, type.case);
      const inner = scalarTests(type);
      tests = unboxed ? inner : inner.map((t) => (w: { value: unknown }) => t(w.value));
    } else if (type.case === 'duration' && desc.typeName === DURATION) {
      const own = durationRules(type.value);
      required ||= own.required;
      tests = own.tests;
    } else if (type.case === 'timestamp' && desc.typeName === TIMESTAMP) {
      const own = timestampRules(type.value);
      required ||= own.required;
      tests = own.tests;
    } else if (type.case === 'any' && desc.typeName === ANY) {
      required ||= type.value.required;
      tests = membershipTests(type.value.in, type.value.notIn, (u) => JSON.stringify(u)).map(
        (t) => (a: Any) => t(a.typeUrl)?.replace(/^value/, 'type URL'),
      );
    } else {
      throw mismatch(f, type.case);
    }
  }
  const nested = skip ? undefined : desc.typeName === ANY ? anyContentsCheck : needsCheck(desc) ? nestedCheck(desc) : undefined;
  if (!required && tests.length === 0 && !nested) return undefined;
  return (v, up, seg, ctx) => {
    if (v === undefined || v === null) {
      if (required) report(ctx, up, seg, 'value is required');
      return;
    }
    for (let i = 0; i < tests.length; i++) {
      const m = tests[i](v);
      if (m !== undefined) report(ctx, up, seg, m);
    }
    if (nested) nested(v, up, seg, ctx);
  };
}

/** Recurses into a nested message; the plan is looked up on first use so recursive types terminate. */
function nestedCheck(desc: DescMessage): ValueCheck {
  let plan: MessageCheck | undefined;
  return (v, up, seg, ctx) => {
    plan ??= messagePlan(desc);
    plan(v, child(up, seg), ctx);
  };
}

/** Unpacks an Any with the registry and checks what it holds, as Envoy does for typed configs. */
const anyContentsCheck: ValueCheck = (any: Any, up, seg, ctx) => {
  const url = any.typeUrl;
  if (url === '') {
    if (any.value.length > 0) report(ctx, up, seg, 'value has no type URL');
    return;
  }
  const desc = ctx.registry.getMessage(url.slice(url.lastIndexOf('/') + 1));
  if (!desc) {
    report(ctx, up, seg, `type URL ${JSON.stringify(url)} is not a known message type`);
    return;
  }
  const plan = messagePlan(desc);
  if (plan === nothingToCheck) return;
  let inner;
  try {
    inner = fromBinary(desc, any.value, { readUnknownFields: false });
  } catch (e) {
    report(ctx, up, seg, `value is not a valid ${desc.typeName}: ${(e as Error).message}`);
    return;
  }
  plan(inner, child(up, seg), ctx);
};

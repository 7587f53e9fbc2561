/**
 * Kuma's `proto.ToTyped`: a free Struct rendered as JSON and decoded into a typed message
 * by golang/protobuf's jsonpb, with the Go decoder's error texts.
 *
 * Unknown fields are ignored; fields are visited in declaration order and the first
 * error wins. The decoded value is normalised like protojson output (zero scalars
 * omitted, wrappers and messages kept), which is also what Kuma writes back as defaults.
 */
import { Buffer } from 'node:buffer';
import { base64CorruptOffset } from './base64.js';
import { jsonKind, scanJson, unmarshalTypeError } from './json-decode.js';
import { jsonNumberText, jsonStringText } from './json-encode.js';
import { goQuote } from './quote.js';

export type ConfType =
  | 'string'
  | 'oneofString'
  | 'bool'
  | 'uint32'
  | 'boolValue'
  | 'uint32Value'
  | 'bytesValue'
  | 'stringMap'
  | { enumName: string; values: readonly string[] }
  | { message: ConfMessage }
  | { listOf: ConfMessage };
export type ConfMessage = Record<string, ConfType>;
export type Decoded<T> = { value: T } | { error: string };

/** Decodes `conf` (absent means empty) into the typed message `fields` describes. */
export function decodeConf(fields: ConfMessage, conf: Record<string, unknown> | undefined): Decoded<Record<string, unknown>> {
  return decodeMessage(fields, conf ?? {});
}

function decodeMessage(fields: ConfMessage, obj: Record<string, unknown>): Decoded<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(fields)) {
    const raw = Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
    if (raw === undefined || raw === null) continue;
    const decoded = decodeField(type, raw);
    if ('error' in decoded) return decoded;
    if (decoded.value !== undefined) out[name] = decoded.value;
  }
  return { value: out };
}

function typeMismatch(value: unknown, goType: string): { error: string } {
  return { error: unmarshalTypeError(value, goType) };
}

function decodeField(type: ConfType, raw: unknown): Decoded<unknown> {
  switch (type) {
    case 'string':
      return typeof raw === 'string' ? { value: raw || undefined } : typeMismatch(raw, 'string');
    case 'oneofString': // a oneof member is selected even by its zero value
      return typeof raw === 'string' ? { value: raw } : typeMismatch(raw, 'string');
    case 'bool':
      return typeof raw === 'boolean' ? { value: raw || undefined } : typeMismatch(raw, 'bool');
    case 'boolValue':
      return typeof raw === 'boolean' ? { value: raw } : typeMismatch(raw, 'bool');
    case 'uint32': {
      const n = decodeUint32(raw);
      return 'error' in n ? n : { value: n.value || undefined };
    }
    case 'uint32Value':
      return decodeUint32(raw);
    case 'bytesValue':
      return decodeBytes(raw);
    case 'stringMap': {
      if (!isObject(raw)) return typeMismatch(raw, 'map[string]json.RawMessage');
      const out: Record<string, string> = {};
      for (const [k, item] of Object.entries(raw)) {
        if (item !== null && typeof item !== 'string') return typeMismatch(item, 'string');
        out[k] = item ?? '';
      }
      return { value: Object.keys(out).length > 0 ? out : undefined };
    }
  }
  if ('enumName' in type) return decodeEnum(type.enumName, type.values, raw);
  if ('message' in type) return isObject(raw) ? decodeMessage(type.message, raw) : typeMismatch(raw, 'map[string]json.RawMessage');
  if (!Array.isArray(raw)) return typeMismatch(raw, '[]json.RawMessage');
  const items: Record<string, unknown>[] = [];
  for (const item of raw) {
    if (item === null) {
      items.push({});
      continue;
    }
    if (!isObject(item)) return typeMismatch(item, 'map[string]json.RawMessage');
    const decoded = decodeMessage(type.listOf, item);
    if ('error' in decoded) return decoded;
    items.push(decoded.value);
  }
  return { value: items.length > 0 ? items : undefined };
}

/** Unsigned ints go through the legacy decoder's quote stripping, so `"80"` is accepted as 80. */
function decodeUint32(raw: unknown): Decoded<number> {
  let kind: string;
  let literal = '';
  if (typeof raw === 'string') {
    const scanned = scanJson(jsonStringText(raw).slice(1, -1));
    if ('error' in scanned) return scanned;
    ({ kind, literal } = scanned);
  } else {
    kind = jsonKind(raw);
    if (typeof raw === 'number') literal = jsonNumberText(raw);
  }
  if (kind === 'null') return { value: 0 };
  if (kind !== 'number') return { error: `json: cannot unmarshal ${kind} into Go value of type uint32` };
  if (/^\d+$/.test(literal) && BigInt(literal) <= 0xffffffffn) return { value: Number(literal) };
  return { error: `json: cannot unmarshal number ${literal} into Go value of type uint32` };
}

function decodeEnum(enumName: string, values: readonly string[], raw: unknown): Decoded<unknown> {
  if (typeof raw === 'string') {
    const index = values.indexOf(raw);
    if (index < 0) return { error: `unknown value ${goQuote(jsonStringText(raw))} for enum ${enumName}` };
    return { value: index === 0 ? undefined : raw };
  }
  if (typeof raw !== 'number') return typeMismatch(raw, 'protoreflect.EnumNumber');
  const literal = jsonNumberText(raw);
  if (!/^-?\d+$/.test(literal) || raw < -2147483648 || raw > 2147483647) {
    return { error: `json: cannot unmarshal number ${literal} into Go value of type protoreflect.EnumNumber` };
  }
  return { value: raw === 0 ? undefined : (values[raw] ?? raw) };
}

function decodeBytes(raw: unknown): Decoded<Uint8Array> {
  if (typeof raw === 'string') {
    const bytes = Buffer.from(raw, 'utf8');
    const corruptAt = base64CorruptOffset(bytes);
    if (corruptAt !== undefined) return { error: `illegal base64 data at input byte ${corruptAt}` };
    return { value: Buffer.from(raw, 'base64') };
  }
  if (!Array.isArray(raw)) return typeMismatch(raw, '[]uint8');
  const out: number[] = [];
  for (const item of raw) {
    if (item === null) out.push(0);
    else if (typeof item !== 'number') return typeMismatch(item, 'uint8');
    else if (!Number.isInteger(item) || item < 0 || item > 255) {
      return { error: `json: cannot unmarshal number ${jsonNumberText(item)} into Go value of type uint8` };
    } else out.push(item);
  }
  return { value: Uint8Array.from(out) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


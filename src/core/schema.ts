/**
 * A small description language for resource specs that mirrors proto3 JSON:
 * parsing rejects unknown fields and wrong types (by path) and normalises the
 * value the way protojson prints it (enum names, zero scalars omitted).
 */
import { parseGoDuration } from './go-compat/duration.js';
import { durationFromNanos, formatDuration, isValidDuration, parseDurationText } from './go-compat/proto-duration.js';
import { FieldPath, Violations } from './validation.js';

export type FieldSchema =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'uint32' }
  | { kind: 'int32' }
  | { kind: 'uint64' }
  | { kind: 'double' }
  | { kind: 'bytes' }
  | { kind: 'duration' }
  | { kind: 'timestamp' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'wrapper'; of: 'bool' | 'uint32' | 'string' | 'double' }
  | { kind: 'message'; fields: Record<string, FieldSchema> }
  | { kind: 'map'; value: FieldSchema }
  | { kind: 'list'; item: FieldSchema }
  | { kind: 'struct' }
  | { kind: 'json' };

export const t = {
  string: { kind: 'string' } as const,
  bool: { kind: 'bool' } as const,
  uint32: { kind: 'uint32' } as const,
  int32: { kind: 'int32' } as const,
  uint64: { kind: 'uint64' } as const,
  double: { kind: 'double' } as const,
  bytes: { kind: 'bytes' } as const,
  duration: { kind: 'duration' } as const,
  timestamp: { kind: 'timestamp' } as const,
  struct: { kind: 'struct' } as const,
  json: { kind: 'json' } as const,
  enum: (...values: string[]): FieldSchema => ({ kind: 'enum', values }),
  wrapper: (of: 'bool' | 'uint32' | 'string' | 'double'): FieldSchema => ({ kind: 'wrapper', of }),
  message: (fields: Record<string, FieldSchema>): FieldSchema & { kind: 'message' } => ({ kind: 'message', fields }),
  map: (value: FieldSchema): FieldSchema => ({ kind: 'map', value }),
  list: (item: FieldSchema): FieldSchema => ({ kind: 'list', item }),
  stringMap: { kind: 'map', value: { kind: 'string' } } as FieldSchema,
};

const MAX_STRUCT_DEPTH = 32;
const UINT64_MAX = 18446744073709551615n;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function parseInteger(value: unknown, path: FieldPath, v: Violations, min: number, max: number, label: string): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) n = Number(value.trim());
  else {
    v.add(path, `invalid value: expected ${label}, got ${typeName(value)}`);
    return undefined;
  }
  if (!Number.isInteger(n) || n < min || n > max) {
    v.add(path, `invalid value: expected ${label}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return n;
}

/** Returns the normalised value, or undefined when it is a proto3 zero value (omitted on output). */
function parseField(schema: FieldSchema, value: unknown, path: FieldPath, v: Violations): unknown {
  if (value === null) return undefined; // protojson treats null as "unset"
  switch (schema.kind) {
    case 'string':
      if (typeof value !== 'string') {
        v.add(path, `invalid value: expected string, got ${typeName(value)}`);
        return undefined;
      }
      return value === '' ? undefined : value;
    case 'bool':
      if (typeof value !== 'boolean') {
        v.add(path, `invalid value: expected boolean, got ${typeName(value)}`);
        return undefined;
      }
      return value ? true : undefined;
    case 'uint32': {
      const n = parseInteger(value, path, v, 0, 4294967295, 'unsigned 32-bit integer');
      return n ? n : undefined;
    }
    case 'int32': {
      const n = parseInteger(value, path, v, -2147483648, 2147483647, '32-bit integer');
      return n ? n : undefined;
    }
    case 'uint64': {
      let n: bigint | undefined;
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) n = BigInt(value);
      else if (typeof value === 'string' && /^\d+$/.test(value)) n = BigInt(value);
      if (n === undefined || n > UINT64_MAX) {
        v.add(path, `invalid value: expected unsigned 64-bit integer, got ${JSON.stringify(value)}`);
        return undefined;
      }
      return n === 0n ? undefined : n.toString();
    }
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        v.add(path, `invalid value: expected number, got ${typeName(value)}`);
        return undefined;
      }
      return value === 0 ? undefined : value;
    case 'bytes':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
        v.add(path, 'invalid value: expected base64-encoded bytes');
        return undefined;
      }
      return value === '' ? undefined : value;
    case 'duration': {
      const duration = typeof value === 'string' ? readDuration(value) : undefined;
      if (duration === undefined) {
        v.add(path, `invalid value: expected a duration such as "10s", got ${JSON.stringify(value)}`);
        return undefined;
      }
      return duration;
    }
    case 'timestamp':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        v.add(path, `invalid value: expected an RFC 3339 timestamp, got ${JSON.stringify(value)}`);
        return undefined;
      }
      return value;
    case 'enum': {
      let idx = -1;
      if (typeof value === 'string') idx = schema.values.indexOf(value);
      else if (typeof value === 'number') idx = Number.isInteger(value) && value < schema.values.length ? value : -1;
      if (idx < 0) {
        v.add(path, `invalid value ${JSON.stringify(value)}: allowed values are ${schema.values.join(', ')}`);
        return undefined;
      }
      return idx === 0 ? undefined : schema.values[idx];
    }
    case 'wrapper': {
      const inner = parseField({ kind: schema.of } as FieldSchema, value, path, v);
      if (inner !== undefined) return inner;
      // wrappers keep zero values: presence is the point
      if (schema.of === 'bool' && value === false) return false;
      if (schema.of === 'uint32' && (value === 0 || value === '0')) return 0;
      if (schema.of === 'double' && value === 0) return 0;
      if (schema.of === 'string' && value === '') return '';
      return undefined;
    }
    case 'message':
      return parseMessage(schema.fields, value, path, v);
    case 'map': {
      if (!isPlainObject(value)) {
        v.add(path, `invalid value: expected object, got ${typeName(value)}`);
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(value)) {
        const parsed = parseField(schema.value, item, path.key(k), v);
        out[k] = parsed ?? zeroOf(schema.value);
      }
      return Object.keys(out).length === 0 ? undefined : out;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        v.add(path, `invalid value: expected array, got ${typeName(value)}`);
        return undefined;
      }
      const out = value.map((item, i) => parseField(schema.item, item, path.index(i), v) ?? zeroOf(schema.item));
      return out.length === 0 ? undefined : out;
    }
    case 'struct':
      if (!isPlainObject(value)) {
        v.add(path, `invalid value: expected object, got ${typeName(value)}`);
        return undefined;
      }
      if (depth(value, 0) > MAX_STRUCT_DEPTH) {
        v.add(path, `nesting deeper than ${MAX_STRUCT_DEPTH} levels is not allowed`);
        return undefined;
      }
      return value;
    case 'json':
      if (depth(value, 0) > MAX_STRUCT_DEPTH) {
        v.add(path, `nesting deeper than ${MAX_STRUCT_DEPTH} levels is not allowed`);
        return undefined;
      }
      return value;
  }
}

/**
 * Kuma's JSON reader takes Go duration strings (`1m30s`, `0`) as well as protobuf's
 * `<seconds>[.frac]s`; the value is stored as protobuf JSON prints it.
 */
function readDuration(text: string): string | undefined {
  const proto = parseDurationText(text);
  if (proto) return isValidDuration(proto) ? formatDuration(proto) : undefined;
  const nanos = parseGoDuration(text);
  return nanos === undefined ? undefined : formatDuration(durationFromNanos(nanos));
}

function depth(value: unknown, d: number): number {
  if (d > MAX_STRUCT_DEPTH) return d;
  if (Array.isArray(value)) return value.reduce<number>((m, x) => Math.max(m, depth(x, d + 1)), d + 1);
  if (isPlainObject(value)) return Object.values(value).reduce<number>((m, x) => Math.max(m, depth(x, d + 1)), d + 1);
  return d;
}

function zeroOf(schema: FieldSchema): unknown {
  switch (schema.kind) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'uint32':
    case 'int32':
    case 'double':
      return 0;
    case 'uint64':
      return '0';
    case 'enum':
      return schema.values[0];
    case 'message':
    case 'struct':
    case 'map':
      return {};
    case 'list':
      return [];
    default:
      return null;
  }
}

function snakeToCamel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function parseMessage(
  fields: Record<string, FieldSchema>,
  value: unknown,
  path: FieldPath,
  v: Violations,
  ignore: ReadonlySet<string> = new Set(),
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    v.add(path, `invalid value: expected object, got ${typeName(value)}`);
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(value)) {
    if (ignore.has(k)) continue;
    // protojson accepts the proto field name (snake_case) as well as the JSON name
    const name = Object.prototype.hasOwnProperty.call(fields, k) ? k : snakeToCamel(k);
    const schema = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    if (!schema) {
      v.add(path.field(k), `unknown field "${k}"`);
      continue;
    }
    const parsed = parseField(schema, item, path.field(name), v);
    if (parsed !== undefined) out[name] = parsed;
  }
  return out;
}

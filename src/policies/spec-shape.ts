/**
 * Structural checks on policy specs, reported the way Kuma's REST layer reports
 * them: each policy kind has an OpenAPI schema that is checked before the kind's
 * own rules, and when it fails only its errors are returned (`in body must be of
 * type string: "number"`, `in body should be one of [...]`, `in body is required`).
 * Unknown properties are not errors: Kuma ignores them.
 */
import type { Violation } from '../core/validation.js';

export type Shape =
  | { type: 'string'; enum?: readonly string[] }
  | { type: 'object'; properties?: Readonly<Record<string, Shape>>; required?: readonly string[]; values?: Shape }
  | { type: 'array'; items: Shape };

export const shape = {
  string: { type: 'string' } as Shape,
  oneOf: (...values: string[]): Shape => ({ type: 'string', enum: values }),
  object: (properties: Record<string, Shape>, required: string[] = []): Shape => ({ type: 'object', properties, required }),
  map: (values: Shape): Shape => ({ type: 'object', values }),
  array: (items: Shape): Shape => ({ type: 'array', items }),
};

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'boolean';
  // Decoded JSON numbers are float64 in Go, whatever their value.
  if (typeof value === 'number') return 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

/**
 * Kuma turns each schema error into a violation by splitting the text at its
 * first space: the head is the field when it starts with `spec.`.
 */
function violationOf(text: string): Violation {
  const space = text.indexOf(' ');
  if (space > 0 && text.slice(0, space).startsWith('spec.')) {
    return { field: text.slice(0, space), message: text.slice(space + 1) };
  }
  return { field: '', message: text };
}

/** Checks `value` found at `path` (e.g. `spec.targetRef`) against `s`; returns the violations. */
export function checkShape(s: Shape, value: unknown, path: string): Violation[] {
  const errors: string[] = [];
  visit(s, value, path, errors);
  return errors.map(violationOf);
}

function visit(s: Shape, value: unknown, path: string, errors: string[]): void {
  const actual = jsonType(value);
  if (actual !== s.type) {
    errors.push(`${path} in body must be of type ${s.type}: "${actual}"`);
    return;
  }
  switch (s.type) {
    case 'string':
      if (s.enum && !s.enum.includes(value as string)) errors.push(`${path} in body should be one of [${s.enum.join(' ')}]`);
      return;
    case 'array':
      (value as unknown[]).forEach((item, i) => visit(s.items, item, `${path}[${i}]`, errors));
      return;
    case 'object': {
      const object = value as Record<string, unknown>;
      const properties = s.properties ?? {};
      if (s.values) {
        for (const [key, item] of Object.entries(object)) {
          if (!Object.hasOwn(properties, key)) visit(s.values, item, `${path}.${key}`, errors);
        }
      }
      for (const [name, property] of Object.entries(properties)) {
        if (Object.hasOwn(object, name)) visit(property, object[name], `${path}.${name}`, errors);
      }
      for (const name of s.required ?? []) {
        if (!Object.hasOwn(object, name)) errors.push(`${path}.${name} in body is required`);
      }
    }
  }
}

/**
 * The part of `value` the schema knows, rebuilt in the schema's property order
 * (Kuma decodes into typed structs, so unknown fields do not survive a write).
 * Values of the wrong type, nulls included, are kept for the checks to report.
 */
export function pruneToShape(s: Shape, value: unknown): unknown {
  if (jsonType(value) !== s.type) return value;
  switch (s.type) {
    case 'string':
      return value;
    case 'array':
      return (value as unknown[]).map((item) => pruneToShape(s.items, item));
    case 'object': {
      const object = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(s.properties ?? {})) {
        if (Object.hasOwn(object, name)) out[name] = pruneToShape(property, object[name]);
      }
      if (s.values) {
        for (const [key, item] of Object.entries(object)) {
          if (!Object.hasOwn(out, key) && !Object.hasOwn(s.properties ?? {}, key)) out[key] = pruneToShape(s.values, item);
        }
      }
      return out;
    }
  }
}

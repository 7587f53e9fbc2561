/**
 * Turns a Ferry field schema into a structural OpenAPI v3 schema for a CRD. The apiserver prunes
 * what a structural schema does not list and rejects values of the wrong type, so every node
 * accepts at least what the proto3 JSON reader accepts: anything narrower would make the
 * apiserver drop or refuse manifests Kuma takes.
 */
import type { FieldSchema } from '../../core/schema.js';

export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'boolean' | 'number' | 'integer';
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema;
  items?: OpenApiSchema;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
}

// proto3 JSON takes 32-bit integers as numbers or numeric strings, 64-bit ones usually as strings
const INT_OR_STRING: OpenApiSchema = { 'x-kubernetes-int-or-string': true };

export function openApiSchemaFor(field: FieldSchema): OpenApiSchema {
  switch (field.kind) {
    case 'string':
    case 'bytes':
    case 'duration':
    case 'timestamp':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'uint32':
    case 'int32':
    case 'uint64':
    // enums are read by name or by number
    case 'enum':
      return { ...INT_OR_STRING };
    case 'double':
      return { type: 'number' };
    case 'wrapper':
      return openApiSchemaFor({ kind: field.of });
    case 'message':
      return openApiMessage(field.fields);
    case 'map':
      return { type: 'object', additionalProperties: openApiSchemaFor(field.value) };
    case 'list':
      return { type: 'array', items: openApiSchemaFor(field.item) };
    case 'struct':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'json':
      return { 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/**
 * Known fields are typed; unknown ones are kept rather than pruned, because the proto3 JSON reader
 * also accepts snake_case field names, and because an unknown field must reach the admission
 * webhook to be rejected with Kuma's message instead of silently disappearing.
 */
export function openApiMessage(fields: Record<string, FieldSchema>): OpenApiSchema {
  const properties: Record<string, OpenApiSchema> = {};
  for (const [name, field] of Object.entries(fields)) properties[name] = openApiSchemaFor(field);
  return { type: 'object', properties, 'x-kubernetes-preserve-unknown-fields': true };
}

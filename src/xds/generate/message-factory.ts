/**
 * Fast construction of protobuf-es messages. `create()` walks every field of a
 * schema on each call, which dominates generation for thousands of services.
 * Each factory here is a small function compiled once per schema that copies
 * the given fields over the zero message, so its property accesses stay
 * monomorphic; it yields the same plain-object message `create()` would.
 *
 * Nested values must already be messages (built here or with `create`). The
 * zero message's lists and maps are frozen and shared, so generated messages
 * must be treated as immutable.
 */
import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';

export type MessageFactory<S extends DescMessage> = (fields?: Partial<MessageShape<S>>) => MessageShape<S>;

export function messageFactory<S extends DescMessage>(schema: S): MessageFactory<S> {
  const zero = create(schema) as Record<string, unknown>;
  for (const value of Object.values(zero)) {
    if (typeof value === 'object' && value !== null) Object.freeze(value);
  }
  // Fields with a zero value are always present; message fields only when set.
  const present = Object.keys(zero).filter((key) => key !== '$typeName');
  const optional = schema.members.map((member) => member.localName).filter((name) => !(name in zero));
  const at = (name: string) => `[${JSON.stringify(name)}]`;
  const body = [
    'return function (f) {',
    '  f = f || {};',
    `  const m = { $typeName: ${JSON.stringify(schema.typeName)}, ${present.map((k) => `${JSON.stringify(k)}: f${at(k)} !== undefined ? f${at(k)} : z${at(k)}`).join(', ')} };`,
    ...optional.map((k) => `  if (f${at(k)} !== undefined) m${at(k)} = f${at(k)};`),
    '  return m;',
    '};',
  ].join('\n');
  // Generated from the schema's own field names, never from input data.
  return new Function('z', body)(zero) as MessageFactory<S>;
}

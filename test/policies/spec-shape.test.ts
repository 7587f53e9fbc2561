import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkShape, pruneToShape, shape } from '../../src/policies/spec-shape.js';

const s = shape.object(
  { name: shape.string, mode: shape.oneOf('A', 'B'), tags: shape.map(shape.string), items: shape.array(shape.object({ id: shape.string }, ['id'])) },
  ['name'],
);

describe('policy spec shapes', () => {
  it('accepts a matching value and ignores unknown properties', () => {
    assert.deepEqual(checkShape(s, { name: 'x', mode: 'A', tags: { a: 'b' }, items: [{ id: '1', extra: 2 }], other: true }, 'spec'), []);
  });

  it('reports types with the JSON type found, enums, required fields, in Kuma\u2019s split form', () => {
    assert.deepEqual(checkShape(s, { name: 1, mode: 'C', tags: { a: false }, items: [{}] }, 'spec'), [
      { field: 'spec.name', message: 'in body must be of type string: "number"' },
      { field: 'spec.mode', message: 'in body should be one of [A B]' },
      { field: 'spec.tags.a', message: 'in body must be of type string: "boolean"' },
      { field: 'spec.items[0].id', message: 'in body is required' },
    ]);
    assert.deepEqual(checkShape(s, [], 'spec'), [{ field: '', message: 'spec in body must be of type object: "array"' }]);
    assert.deepEqual(checkShape(s, { name: null, items: {} }, 'spec'), [
      { field: 'spec.name', message: 'in body must be of type string: "null"' },
      { field: 'spec.items', message: 'in body must be of type array: "object"' },
    ]);
  });

  it('prunes to the known properties in schema order, keeping wrong types for the checks', () => {
    const pruned = pruneToShape(s, { items: [{ id: '1', extra: 2 }], other: 1, tags: { a: 'b' }, name: 5 });
    assert.deepEqual(pruned, { name: 5, tags: { a: 'b' }, items: [{ id: '1' }] });
    assert.deepEqual(Object.keys(pruned as object), ['name', 'tags', 'items']);
  });
});

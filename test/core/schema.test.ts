import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, t, type FieldSchema } from '../../src/core/schema.js';
import { FieldPath, Violations, type Violation } from '../../src/core/validation.js';

function parse(fields: Record<string, FieldSchema>, value: unknown, ignore?: ReadonlySet<string>) {
  const v = new Violations();
  const out = parseMessage(fields, value, FieldPath.at('spec'), v, ignore);
  return { out, violations: v.list };
}

/** Parses `{f: value}` against `{f: schema}` and returns the normalised field and the violations. */
function field(schema: FieldSchema, value: unknown): { value: unknown; violations: Violation[] } {
  const { out, violations } = parse({ f: schema }, { f: value });
  return { value: out?.f, violations };
}

function accepts(schema: FieldSchema, value: unknown, normalised: unknown): void {
  assert.deepEqual(field(schema, value), { value: normalised, violations: [] });
}

function rejects(schema: FieldSchema, value: unknown, message: string): void {
  assert.deepEqual(field(schema, value), { value: undefined, violations: [{ field: 'spec.f', message }] });
}

describe('schema: messages', () => {
  it('reports unknown fields by path and keeps parsing the rest', () => {
    const { out, violations } = parse({ name: t.string }, { nmae: 'x', name: 'y' });
    assert.deepEqual(out, { name: 'y' });
    assert.deepEqual(violations, [{ field: 'spec.nmae', message: 'unknown field "nmae"' }]);
  });

  it('skips the ignored envelope fields', () => {
    assert.deepEqual(parse({ a: t.string }, { type: 'Mesh', name: 'n', a: 'x' }, new Set(['type', 'name'])), { out: { a: 'x' }, violations: [] });
  });

  it('accepts proto snake_case names and stores the JSON name', () => {
    const { out, violations } = parse({ redirectPortInbound: t.uint32, ipv6Enabled: t.bool }, { redirect_port_inbound: 15006, ipv6_enabled: true });
    assert.deepEqual(violations, []);
    assert.deepEqual(out, { redirectPortInbound: 15006, ipv6Enabled: true });
  });

  it('names an unknown snake_case field as written', () => {
    assert.deepEqual(parse({ a: t.string }, { some_field: 1 }).violations, [{ field: 'spec.some_field', message: 'unknown field "some_field"' }]);
  });

  it('does not treat inherited object properties as fields', () => {
    assert.deepEqual(parse({ a: t.string }, JSON.parse('{"toString": "x", "__proto__": {}}')).violations.map((x) => x.field), ['spec.toString', 'spec.__proto__']);
  });

  it('rejects a non-object message and names the kind it got', () => {
    assert.deepEqual(parse({}, []).violations, [{ field: 'spec', message: 'invalid value: expected object, got array' }]);
    rejects(t.message({}), 'x', 'invalid value: expected object, got string');
    rejects(t.message({}), 1, 'invalid value: expected object, got number');
  });

  it('keeps nested messages even when empty, and builds nested paths', () => {
    accepts(t.message({ a: t.string }), {}, {});
    accepts(t.message({ a: t.string }), { a: '' }, {});
    assert.deepEqual(field(t.message({ inner: t.message({ n: t.uint32 }) }), { inner: { n: 'x' } }).violations, [
      { field: 'spec.f.inner.n', message: 'invalid value: expected unsigned 32-bit integer, got string' },
    ]);
  });

  it('treats null as unset for every kind', () => {
    for (const schema of [t.string, t.uint32, t.message({}), t.list(t.string), t.wrapper('bool'), t.duration, t.struct]) {
      assert.deepEqual(field(schema, null), { value: undefined, violations: [] });
    }
  });
});

describe('schema: scalars and zero-value omission', () => {
  it('string', () => {
    accepts(t.string, 'x', 'x');
    accepts(t.string, '', undefined);
    rejects(t.string, 1, 'invalid value: expected string, got number');
    rejects(t.string, {}, 'invalid value: expected string, got object');
  });

  it('bool', () => {
    accepts(t.bool, true, true);
    accepts(t.bool, false, undefined);
    rejects(t.bool, 'true', 'invalid value: expected boolean, got string');
  });

  it('uint32 takes numbers and integer strings within range', () => {
    accepts(t.uint32, 8080, 8080);
    accepts(t.uint32, '8080', 8080);
    accepts(t.uint32, ' 12 ', 12);
    accepts(t.uint32, 4294967295, 4294967295);
    accepts(t.uint32, 0, undefined);
    rejects(t.uint32, 4294967296, 'invalid value: expected unsigned 32-bit integer, got 4294967296');
    rejects(t.uint32, -1, 'invalid value: expected unsigned 32-bit integer, got -1');
    rejects(t.uint32, 1.5, 'invalid value: expected unsigned 32-bit integer, got 1.5');
    rejects(t.uint32, 'abc', 'invalid value: expected unsigned 32-bit integer, got string');
    rejects(t.uint32, true, 'invalid value: expected unsigned 32-bit integer, got boolean');
  });

  it('int32 takes negative values', () => {
    accepts(t.int32, -2147483648, -2147483648);
    accepts(t.int32, '-5', -5);
    rejects(t.int32, 2147483648, 'invalid value: expected 32-bit integer, got 2147483648');
  });

  it('uint64 is stored as a decimal string', () => {
    accepts(t.uint64, 5, '5');
    accepts(t.uint64, '18446744073709551615', '18446744073709551615');
    accepts(t.uint64, '0', undefined);
    rejects(t.uint64, '18446744073709551616', 'invalid value: expected unsigned 64-bit integer, got "18446744073709551616"');
    rejects(t.uint64, -1, 'invalid value: expected unsigned 64-bit integer, got -1');
    rejects(t.uint64, 2 ** 60, `invalid value: expected unsigned 64-bit integer, got ${2 ** 60}`); // unsafe as a number
    rejects(t.uint64, '1e3', 'invalid value: expected unsigned 64-bit integer, got "1e3"');
  });

  it('double', () => {
    accepts(t.double, 0.5, 0.5);
    accepts(t.double, 0, undefined);
    rejects(t.double, '0.5', 'invalid value: expected number, got string');
  });

  it('bytes are base64 text', () => {
    accepts(t.bytes, 'aGk=', 'aGk=');
    accepts(t.bytes, 'a-_b', 'a-_b');
    accepts(t.bytes, '', undefined);
    rejects(t.bytes, 'a b', 'invalid value: expected base64-encoded bytes');
    rejects(t.bytes, 'a===', 'invalid value: expected base64-encoded bytes');
    rejects(t.bytes, [1], 'invalid value: expected base64-encoded bytes');
  });

  it('timestamps are RFC 3339 text', () => {
    accepts(t.timestamp, '2018-07-17T16:05:36.995Z', '2018-07-17T16:05:36.995Z');
    rejects(t.timestamp, 'yesterday', 'invalid value: expected an RFC 3339 timestamp, got "yesterday"');
    rejects(t.timestamp, 5, 'invalid value: expected an RFC 3339 timestamp, got 5');
  });
});

describe('schema: enums', () => {
  const mode = t.enum('STRICT', 'PERMISSIVE');
  it('accepts names and numbers, storing the name and omitting the first value', () => {
    accepts(mode, 'PERMISSIVE', 'PERMISSIVE');
    accepts(mode, 1, 'PERMISSIVE');
    accepts(mode, 'STRICT', undefined);
    accepts(mode, 0, undefined);
  });

  it('rejects unknown names and numbers with the allowed names', () => {
    const message = (got: string) => `invalid value ${got}: allowed values are STRICT, PERMISSIVE`;
    rejects(mode, 'strict', message('"strict"'));
    rejects(mode, 2, message('2'));
    rejects(mode, -1, message('-1'));
    rejects(mode, 0.5, message('0.5'));
    rejects(mode, true, message('true'));
  });
});

describe('schema: wrappers keep their zero values', () => {
  it('bool, uint32, double and string', () => {
    accepts(t.wrapper('bool'), false, false);
    accepts(t.wrapper('bool'), true, true);
    accepts(t.wrapper('uint32'), 0, 0);
    accepts(t.wrapper('uint32'), '0', 0);
    accepts(t.wrapper('uint32'), 7, 7);
    accepts(t.wrapper('double'), 0, 0);
    accepts(t.wrapper('string'), '', '');
  });

  it('checks the wrapped type', () => {
    rejects(t.wrapper('bool'), 0, 'invalid value: expected boolean, got number');
    rejects(t.wrapper('uint32'), -1, 'invalid value: expected unsigned 32-bit integer, got -1');
  });
});

describe('schema: maps and lists', () => {
  it('parses map values by key path and keeps zero values inside', () => {
    accepts(t.stringMap, { a: 'x', b: '' }, { a: 'x', b: '' });
    accepts(t.map(t.uint32), { a: 0 }, { a: 0 });
    accepts(t.stringMap, {}, undefined);
    assert.deepEqual(field(t.stringMap, { 'kuma.io/service': 1 }).violations, [
      { field: 'spec.f["kuma.io/service"]', message: 'invalid value: expected string, got number' },
    ]);
    rejects(t.stringMap, ['a'], 'invalid value: expected object, got array');
  });

  it('parses list items by index and keeps zero values inside', () => {
    accepts(t.list(t.string), ['a', ''], ['a', '']);
    accepts(t.list(t.message({ a: t.string })), [{}, { a: 'x' }], [{}, { a: 'x' }]);
    accepts(t.list(t.bool), [false], [false]);
    accepts(t.list(t.string), [], undefined);
    assert.deepEqual(field(t.list(t.uint32), [1, 'x']).violations, [{ field: 'spec.f[1]', message: 'invalid value: expected unsigned 32-bit integer, got string' }]);
    rejects(t.list(t.string), 'a', 'invalid value: expected array, got string');
  });
});

describe('schema: free-form values and the nesting limit', () => {
  const nested = (levels: number): unknown => (levels === 0 ? 1 : { a: nested(levels - 1) });

  it('keeps a Struct as given', () => {
    accepts(t.struct, { a: [1, { b: null }], c: 'x' }, { a: [1, { b: null }], c: 'x' });
    accepts(t.struct, {}, {});
    rejects(t.struct, [1], 'invalid value: expected object, got array');
  });

  it('allows 32 levels and refuses 33', () => {
    accepts(t.struct, nested(32), nested(32));
    rejects(t.struct, nested(33), 'nesting deeper than 32 levels is not allowed');
    accepts(t.json, nested(32), nested(32));
    rejects(t.json, [nested(32)], 'nesting deeper than 32 levels is not allowed');
  });

  it('json takes any JSON value', () => {
    accepts(t.json, 'text', 'text');
    accepts(t.json, [1, 2], [1, 2]);
  });
});

describe('schema: durations', () => {
  const invalid = (got: string) => `invalid value: expected a duration such as "10s", got ${got}`;

  const forms: [string, string][] = [
    ['90s', '90s'],
    ['1.5s', '1.500s'],
    ['1.000s', '1s'],
    ['0.000001s', '0.000001s'],
    ['0.0000001s', '0.000000100s'],
    ['-2s', '-2s'],
    ['0s', '0s'],
    ['315576000000s', '315576000000s'], // beyond Go's range, within protobuf's
    ['-315576000000.999999999s', '-315576000000.999999999s'],
    // Go's time.ParseDuration forms
    ['0', '0s'],
    ['-0', '0s'],
    ['1m30s', '90s'],
    ['1.5h', '5400s'],
    ['300ms', '0.300s'],
    ['1.5ms', '0.001500s'],
    ['10us', '0.000010s'],
    ['10µs', '0.000010s'],
    ['1ns', '0.000000001s'],
    ['-1.5m', '-90s'],
    ['+5s', '5s'],
    ['1h0m0.5s', '3600.500s'],
    ['1.0000000001s', '1s'],
  ];
  for (const [input, stored] of forms) {
    it(`reads ${input} and stores ${stored}`, () => accepts(t.duration, input, stored));
  }

  for (const input of ['', '5', '5 s', '1d', '1S', 's', '315576000001s', '-315576000001s', '3000000h']) {
    it(`rejects ${JSON.stringify(input)}`, () => rejects(t.duration, input, invalid(JSON.stringify(input))));
  }

  it('rejects non-strings', () => {
    rejects(t.duration, 5, invalid('5'));
    rejects(t.duration, { seconds: 5 }, invalid('{"seconds":5}'));
  });
});

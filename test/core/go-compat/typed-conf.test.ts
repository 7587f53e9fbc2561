import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConf, type ConfMessage } from '../../../src/core/go-compat/typed-conf.js';

const error = (message: string) => ({ error: message });

describe('decodeConf (proto.ToTyped)', () => {
  it('decodes an absent conf as the empty message and ignores unknown fields', () => {
    assert.deepEqual(decodeConf({ a: 'string' }, undefined), { value: {} });
    assert.deepEqual(decodeConf({ a: 'string' }, { a: 'x', other: 1 }), { value: { a: 'x' } });
  });

  it('omits zero scalars but keeps wrappers and chosen oneof members', () => {
    const fields: ConfMessage = { s: 'string', b: 'bool', n: 'uint32', bv: 'boolValue', nv: 'uint32Value', o: 'oneofString' };
    assert.deepEqual(decodeConf(fields, { s: '', b: false, n: 0, bv: false, nv: 0, o: '' }), { value: { bv: false, nv: 0, o: '' } });
  });

  it('skips null fields', () => {
    assert.deepEqual(decodeConf({ s: 'string', m: { message: {} } }, { s: null, m: null }), { value: {} });
  });

  it('reports the first failing field in declaration order', () => {
    const fields: ConfMessage = { a: 'string', b: 'uint32' };
    assert.deepEqual(decodeConf(fields, { b: 'x', a: 1 }), error('json: cannot unmarshal number into Go value of type string'));
  });

  describe('uint32', () => {
    const decode = (n: unknown) => decodeConf({ n: 'uint32Value' }, { n });
    it('accepts numbers and quoted numbers', () => {
      assert.deepEqual(decode(80), { value: { n: 80 } });
      assert.deepEqual(decode('80'), { value: { n: 80 } });
      assert.deepEqual(decode('null'), { value: { n: 0 } });
    });
    it('reports values out of range or not integral', () => {
      assert.deepEqual(decode(4294967296), error('json: cannot unmarshal number 4294967296 into Go value of type uint32'));
      assert.deepEqual(decode(-1), error('json: cannot unmarshal number -1 into Go value of type uint32'));
      assert.deepEqual(decode(1.5), error('json: cannot unmarshal number 1.5 into Go value of type uint32'));
    });
    it('reports other kinds, and quoted text by its syntax error', () => {
      assert.deepEqual(decode(true), error('json: cannot unmarshal bool into Go value of type uint32'));
      assert.deepEqual(decode('"1"'), error("invalid character '\\\\' looking for beginning of value")); // quotes stay escaped
      assert.deepEqual(decode('abc'), error("invalid character 'a' looking for beginning of value"));
    });
  });

  describe('enums', () => {
    const fields: ConfMessage = { mode: { enumName: 'pkg.Mode', values: ['zero', 'one'] } };
    it('accepts names and numbers, omitting the zero value', () => {
      assert.deepEqual(decodeConf(fields, { mode: 'one' }), { value: { mode: 'one' } });
      assert.deepEqual(decodeConf(fields, { mode: 'zero' }), { value: {} });
      assert.deepEqual(decodeConf(fields, { mode: 1 }), { value: { mode: 'one' } });
      assert.deepEqual(decodeConf(fields, { mode: 7 }), { value: { mode: 7 } });
    });
    it('reports unknown names quoted twice, as jsonpb does', () => {
      assert.deepEqual(decodeConf(fields, { mode: 'two' }), error('unknown value "\\"two\\"" for enum pkg.Mode'));
      assert.deepEqual(decodeConf(fields, { mode: 1.5 }), error('json: cannot unmarshal number 1.5 into Go value of type protoreflect.EnumNumber'));
      assert.deepEqual(decodeConf(fields, { mode: [] }), error('json: cannot unmarshal array into Go value of type protoreflect.EnumNumber'));
    });
  });

  describe('maps, messages and lists', () => {
    it('reads string maps with null values as empty strings', () => {
      assert.deepEqual(decodeConf({ tags: 'stringMap' }, { tags: { a: 'x', b: null } }), { value: { tags: { a: 'x', b: '' } } });
      assert.deepEqual(decodeConf({ tags: 'stringMap' }, { tags: { a: 1 } }), error('json: cannot unmarshal number into Go value of type string'));
      assert.deepEqual(decodeConf({ tags: 'stringMap' }, { tags: 'a' }), error('json: cannot unmarshal string into Go value of type map[string]json.RawMessage'));
    });
    it('keeps empty messages and turns null list items into empty messages', () => {
      const fields: ConfMessage = { m: { message: { a: 'string' } }, l: { listOf: { a: 'string' } } };
      assert.deepEqual(decodeConf(fields, { m: {}, l: [null, { a: 'x' }] }), { value: { m: {}, l: [{}, { a: 'x' }] } });
      assert.deepEqual(decodeConf(fields, { l: {} }), error('json: cannot unmarshal object into Go value of type []json.RawMessage'));
      assert.deepEqual(decodeConf(fields, { l: [1] }), error('json: cannot unmarshal number into Go value of type map[string]json.RawMessage'));
      assert.deepEqual(decodeConf(fields, { m: [] }), error('json: cannot unmarshal array into Go value of type map[string]json.RawMessage'));
    });
  });

  describe('bytes', () => {
    const decode = (inline: unknown) => decodeConf({ inline: 'bytesValue' }, { inline });
    it('reads base64 text and byte arrays', () => {
      assert.deepEqual(decode('aGk='), { value: { inline: Buffer.from('hi') } });
      assert.deepEqual(decode([1, null, 255]), { value: { inline: Uint8Array.from([1, 0, 255]) } });
    });
    it('reports bad base64 by offset and bad bytes by value', () => {
      assert.deepEqual(decode('aGk'), error('illegal base64 data at input byte 0'));
      assert.deepEqual(decode([256]), error('json: cannot unmarshal number 256 into Go value of type uint8'));
      assert.deepEqual(decode(['a']), error('json: cannot unmarshal string into Go value of type uint8'));
      assert.deepEqual(decode(1), error('json: cannot unmarshal number into Go value of type []uint8'));
    });
  });
});

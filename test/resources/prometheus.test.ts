import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldPath, Violations, type Violation } from '../../src/core/validation.js';
import { decodePrometheusConf, validatePrometheusConf } from '../../src/resources/prometheus.js';

const CONF = FieldPath.at('metrics').field('conf');

function check(conf: Record<string, unknown> | undefined): Violation[] {
  const v = new Violations();
  validatePrometheusConf(conf, CONF, v);
  return v.list;
}

const at = (field: string, message: string): Violation => ({ field, message });
const CONFLICT = at('metrics.conf', 'skipMTLS and tls configuration cannot be defined together');

describe('Prometheus conf: what Kuma does not check', () => {
  it('accepts an absent or empty conf', () => {
    assert.deepEqual(check(undefined), []);
    assert.deepEqual(check({}), []);
  });

  it('leaves ports, paths, tags and aggregate fields alone', () => {
    assert.deepEqual(check({ port: 0, path: 'no-slash', tags: {}, aggregate: [{ name: 'app' }, { port: 0, path: '', enabled: false }] }), []);
  });
});

describe('Prometheus conf: parse errors', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['port out of range', { port: 70000.5 }, 'json: cannot unmarshal number 70000.5 into Go value of type uint32'],
    ['path not a string', { path: 1 }, 'json: cannot unmarshal number into Go value of type string'],
    ['skipMTLS not a bool', { skipMTLS: 'yes' }, 'json: cannot unmarshal string into Go value of type bool'],
    ['aggregate entry not an object', { aggregate: ['a'] }, 'json: cannot unmarshal string into Go value of type map[string]json.RawMessage'],
    ['aggregate port not a number', { aggregate: [{ port: 'x' }] }, "invalid character 'x' looking for beginning of value"],
    ['envoy not an object', { envoy: 'x' }, 'json: cannot unmarshal string into Go value of type map[string]json.RawMessage'],
    ['unknown tls mode', { tls: { mode: 'strict' } }, 'unknown value "\\"strict\\"" for enum kuma.mesh.v1alpha1.PrometheusTlsConfig.Mode'],
  ];
  for (const [name, conf, error] of cases) {
    it(name, () => assert.deepEqual(check(conf), [at('metrics.conf', `could not parse config: ${error}`)]));
  }

  it('reports the first field in declaration order and nothing else', () => {
    assert.deepEqual(check({ tls: { mode: 'strict' }, port: 'x', aggregate: [{ name: 'a' }, { name: 'a' }] }), [
      at('metrics.conf', "could not parse config: invalid character 'x' looking for beginning of value"),
    ]);
  });
});

describe('Prometheus conf: skipMTLS together with tls', () => {
  const agree = [
    { skipMTLS: false },
    { skipMTLS: true },
    { tls: { mode: 'providedTLS' } },
    { skipMTLS: false, tls: {} },
    { skipMTLS: false, tls: { mode: 'activeMTLSBackend' } },
    { skipMTLS: true, tls: { mode: 'disabled' } },
    { skipMTLS: true, tls: { mode: 2 } },
  ];
  for (const conf of agree) {
    it(`accepts ${JSON.stringify(conf)}`, () => assert.deepEqual(check(conf), []));
  }

  const disagree = [
    { skipMTLS: true, tls: {} },
    { skipMTLS: false, tls: { mode: 'disabled' } },
    { skipMTLS: false, tls: { mode: 'providedTLS' } },
    { skipMTLS: true, tls: { mode: 'providedTLS' } },
    { skipMTLS: false, tls: { mode: 9 } },
  ];
  for (const conf of disagree) {
    it(`rejects ${JSON.stringify(conf)}`, () => assert.deepEqual(check(conf), [CONFLICT]));
  }

  it('stops there, before the regex and aggregate checks', () => {
    assert.deepEqual(check({ skipMTLS: true, tls: {}, envoy: { filterRegex: '(' }, aggregate: [{ name: 'a' }, { name: 'a' }] }), [CONFLICT]);
  });
});

describe('Prometheus conf: envoy.filterRegex', () => {
  it('accepts what Go compiles', () => {
    assert.deepEqual(check({ envoy: { filterRegex: '^envoy_cluster_.*(rq|cx)_total$', usedOnly: true } }), []);
  });

  it('reports what Go rejects, and stops there', () => {
    assert.deepEqual(check({ envoy: { filterRegex: '[z-a]' }, aggregate: [{ name: 'a' }, { name: 'a' }] }), [
      at('metrics.conf.envoy.filterRegex', "provided regexp isn't correct: error parsing regexp: invalid character class range: `z-a`"),
    ]);
  });
});

describe('Prometheus conf: aggregate names', () => {
  it('reports every repeat after the first, by index', () => {
    assert.deepEqual(check({ aggregate: [{ name: 'a' }, { name: 'b' }, { name: 'a' }, { name: 'a' }, { name: 'b' }] }), [
      at('metrics.conf.aggregate[2].name', 'duplicate entry: a, values have to be unique'),
      at('metrics.conf.aggregate[3].name', 'duplicate entry: a, values have to be unique'),
      at('metrics.conf.aggregate[4].name', 'duplicate entry: b, values have to be unique'),
    ]);
  });

  it('treats missing names (and null entries) as the same empty name', () => {
    assert.deepEqual(check({ aggregate: [{ port: 1 }, null, { name: '' }] }), [
      at('metrics.conf.aggregate[1].name', 'duplicate entry: , values have to be unique'),
      at('metrics.conf.aggregate[2].name', 'duplicate entry: , values have to be unique'),
    ]);
  });
});

describe('decodePrometheusConf', () => {
  it('normalises like protobuf JSON: zero scalars dropped, wrappers kept, enum by name', () => {
    assert.deepEqual(decodePrometheusConf({ port: '5670', path: '', skipMTLS: false, tls: { mode: 1 }, envoy: { usedOnly: false }, extra: 1 }), {
      value: { port: 5670, skipMTLS: false, tls: { mode: 'providedTLS' }, envoy: { usedOnly: false } },
    });
  });
});

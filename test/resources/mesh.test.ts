import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { ValidationContext } from '../../src/core/registry.js';
import type { Spec } from '../../src/core/resource.js';
import { parseMessage } from '../../src/core/schema.js';
import { FieldPath, Violations, type Violation } from '../../src/core/validation.js';
import {
  MeshKind,
  applyMeshDefaults,
  enabledBackend,
  meshSchema,
  mtlsEnabled,
  parseKumaDuration,
  passthroughEnabled,
  validateMesh,
} from '../../src/resources/mesh.js';

const ENVELOPE = new Set(['type', 'name', 'mesh']);

function parseMesh(text: string): { spec: Spec; violations: Violation[] } {
  const v = new Violations();
  const spec = parseMessage(meshSchema, parse(text) ?? {}, FieldPath.root(), v, ENVELOPE);
  return { spec: spec ?? {}, violations: v.list };
}

function validate(text: string, ctx: Partial<ValidationContext> = {}): Violation[] {
  const { spec, violations } = parseMesh(text);
  assert.deepEqual(violations, [], 'the YAML should parse');
  return validateMesh(spec, { name: 'default', mesh: '', labels: {}, ...ctx });
}

interface Case {
  name: string;
  yaml: string;
  ctx?: Partial<ValidationContext>;
  expected: Violation[];
}

function runCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(validate(c.yaml, c.ctx), c.expected));
  }
}

const v = (field: string, message: string): Violation => ({ field, message });

// The Universal example from the compatibility spec (a.1).
const COMPAT_EXAMPLE = `
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
    - name: ca-1
      type: builtin
      dpCert: {rotation: {expiration: 1d}}
      conf: {caCert: {RSAbits: 2048, expiration: 10y}}
networking:
  outbound: {passthrough: true}
`;

describe('Mesh schema', () => {
  it('parses the compatibility spec example and validates it clean', () => {
    const { spec, violations } = parseMesh(COMPAT_EXAMPLE);
    assert.deepEqual(violations, []);
    assert.deepEqual(spec.mtls, {
      enabledBackend: 'ca-1',
      backends: [{ name: 'ca-1', type: 'builtin', dpCert: { rotation: { expiration: '1d' } }, conf: { caCert: { RSAbits: 2048, expiration: '10y' } } }],
    });
    assert.deepEqual(validateMesh(spec, { name: 'default', mesh: '', labels: {} }), []);
  });

  it('accepts every field the proto declares', () => {
    const { spec, violations } = parseMesh(`
mtls:
  enabledBackend: ca
  skipValidation: true
  backends:
  - name: ca
    type: provided
    mode: PERMISSIVE
    dpCert: {rotation: {expiration: 2h}, requestTimeout: 5s}
    rootChain: {requestTimeout: 10s}
    conf: {cert: {secret: c}, key: {secret: k}}
tracing:
  defaultBackend: z
  backends: [{name: z, sampling: 50.5, type: zipkin, conf: {url: "http://z:9411"}}]
logging:
  defaultBackend: f
  backends: [{name: f, format: "%START_TIME%", type: file, conf: {path: /tmp/log}}]
metrics:
  enabledBackend: p
  backends: [{name: p, type: prometheus, conf: {port: 1234}}]
networking: {outbound: {passthrough: false}}
routing: {localityAwareLoadBalancing: true, zoneEgress: true, defaultForbidMeshExternalServiceAccess: true}
constraints:
  dataplaneProxy:
    requirements: [{tags: {kuma.io/zone: east}}]
    restrictions: [{tags: {kuma.io/zone: west}}]
skipCreatingInitialPolicies: ["*"]
meshServices: {mode: Exclusive}
`);
    assert.deepEqual(violations, []);
    assert.equal((spec.mtls as { backends: { dpCert: { requestTimeout: string } }[] }).backends[0].dpCert.requestTimeout, '5s');
    assert.deepEqual(spec.routing, { localityAwareLoadBalancing: true, zoneEgress: true, defaultForbidMeshExternalServiceAccess: true });
    assert.deepEqual(spec.skipCreatingInitialPolicies, ['*']);
    assert.deepEqual(spec.meshServices, { mode: 'Exclusive' });
    assert.equal((spec.tracing as { backends: { sampling: number }[] }).backends[0].sampling, 50.5);
    assert.deepEqual(validateMesh(spec, { name: 'default', mesh: '', labels: {} }), []);
  });

  it('reports unknown fields and wrong types by path', () => {
    const { violations } = parseMesh(`
mtls:
  backends: [{name: ca, tpye: builtin}]
routing: {zoneEgress: "yes"}
networking: {outbound: {passthrough: 1}}
meshServices: {mode: Sometimes}
skipCreatingInitialPolicies: "*"
dpCert: {}
`);
    assert.deepEqual(
      violations.map((x) => x.field),
      ['mtls.backends[0].tpye', 'routing.zoneEgress', 'networking.outbound.passthrough', 'meshServices.mode', 'skipCreatingInitialPolicies', 'dpCert'],
    );
    assert.equal(violations[0].message, 'unknown field "tpye"');
  });

  it('rejects a dpCert.requestTimeout that is not a duration', () => {
    const { violations } = parseMesh('mtls: {backends: [{name: a, dpCert: {requestTimeout: 5d}}]}');
    assert.deepEqual(violations.map((x) => x.field), ['mtls.backends[0].dpCert.requestTimeout']);
  });

  it('reads a Go-style dpCert.requestTimeout and stores it as protobuf JSON', () => {
    const { spec, violations } = parseMesh('mtls: {backends: [{name: a, dpCert: {requestTimeout: 1m30s}}]}');
    assert.deepEqual(violations, []);
    assert.equal((spec.mtls as { backends: { dpCert: { requestTimeout: string } }[] }).backends[0].dpCert.requestTimeout, '90s');
  });

  it('keeps passthrough: false (a BoolValue) through normalisation', () => {
    const { spec } = parseMesh('networking: {outbound: {passthrough: false}}');
    assert.deepEqual(spec.networking, { outbound: { passthrough: false } });
    assert.equal(passthroughEnabled(spec), false);
  });

  it('treats an absent passthrough as enabled', () => {
    assert.equal(passthroughEnabled(parseMesh('networking: {outbound: {}}').spec), true);
    assert.equal(passthroughEnabled({}), true);
    assert.equal(passthroughEnabled(parseMesh('networking: {outbound: {passthrough: true}}').spec), true);
  });

  it('keeps mode PERMISSIVE and omits the default STRICT', () => {
    const { spec } = parseMesh(`
mtls:
  backends:
  - {name: a, type: builtin, mode: PERMISSIVE}
  - {name: b, type: builtin, mode: STRICT}
`);
    const backends = (spec.mtls as { backends: Record<string, unknown>[] }).backends;
    assert.equal(backends[0].mode, 'PERMISSIVE');
    assert.equal('mode' in backends[1], false);
  });

  it('omits the default meshServices mode', () => {
    assert.deepEqual(parseMesh('meshServices: {mode: Disabled}').spec.meshServices, {});
  });
});

describe('Mesh helpers', () => {
  it('parseKumaDuration follows Kuma units (y is 365 days)', () => {
    const day = 24 * 3600 * 1000;
    const cases: [string, number | undefined][] = [
      ['1d', day],
      ['10y', 3650 * day],
      ['2w', 14 * day],
      ['3h', 3 * 3600 * 1000],
      ['3m', 180000],
      ['45s', 45000],
      ['500ms', 500],
      ['0', 0],
      ['0s', 0],
      ['', undefined],
      ['1.5h', undefined],
      ['-1s', undefined],
      ['10', undefined],
      ['1h30m', undefined],
      ['1D', undefined],
      [' 1d', undefined],
    ];
    for (const [input, expected] of cases) assert.equal(parseKumaDuration(input), expected, input);
  });

  it('mtlsEnabled and enabledBackend follow mtls.enabledBackend', () => {
    const on = parseMesh(COMPAT_EXAMPLE).spec;
    assert.equal(mtlsEnabled(on), true);
    assert.equal(enabledBackend(on)?.name, 'ca-1');
    assert.equal(enabledBackend(on)?.type, 'builtin');
    const off = parseMesh('mtls: {backends: [{name: ca-1, type: builtin}]}').spec;
    assert.equal(mtlsEnabled(off), false);
    assert.equal(enabledBackend(off), undefined);
    assert.equal(mtlsEnabled({}), false);
  });

  it('describes the Mesh kind', () => {
    assert.equal(MeshKind.name, 'Mesh');
    assert.equal(MeshKind.path, 'meshes');
    assert.equal(MeshKind.scope, 'Global');
    assert.equal(MeshKind.shortName, 'm');
    assert.equal(MeshKind.singularDisplayName, 'Mesh');
    assert.equal(MeshKind.pluralDisplayName, 'Meshes');
    assert.equal(MeshKind.readOnly, false);
    assert.equal(MeshKind.includeInFederation, true);
    assert.equal(MeshKind.envelope, 'flat');
    assert.equal(MeshKind.schema, meshSchema);
    assert.deepEqual(MeshKind.cliAliases, ['mesh', 'meshes']);
    assert.equal(MeshKind.validate, validateMesh);
    assert.equal(MeshKind.applyDefaults, applyMeshDefaults);
  });
});

describe('Mesh validation: mtls', () => {
  runCases([
    {
      name: 'more than one backend',
      yaml: 'mtls: {backends: [{name: a, type: builtin}, {name: b, type: builtin}]}',
      expected: [v('mtls.backends', 'cannot have more than 1 backends')],
    },
    {
      name: 'duplicate backend names',
      yaml: 'mtls: {backends: [{name: a, type: builtin}, {name: a, type: builtin}]}',
      expected: [v('mtls.backends', 'cannot have more than 1 backends'), v('mtls.backends[1].name', '"a" name is already used for another backend')],
    },
    {
      name: 'dpCert rotation expiration in a bad format (reported without the index)',
      yaml: 'mtls: {backends: [{name: a, type: builtin, dpCert: {rotation: {expiration: 1x}}}]}',
      expected: [v('mtls.dpcert.rotation.expiration', 'has to be a valid format')],
    },
    {
      name: 'dpCert present without a rotation',
      yaml: 'mtls: {backends: [{name: a, type: builtin, dpCert: {requestTimeout: 5s}}]}',
      expected: [v('mtls.dpcert.rotation.expiration', 'has to be a valid format')],
    },
    {
      name: 'dpCert rotation expiration of a bare 0',
      yaml: 'mtls: {backends: [{name: a, type: builtin, dpCert: {rotation: {expiration: "0"}}}]}',
      expected: [],
    },
    {
      name: 'enabledBackend names no backend',
      yaml: 'mtls: {enabledBackend: b, backends: [{name: a, type: builtin}]}',
      expected: [v('mtls.enabledBackend', 'has to be set to one of the backends in the mesh')],
    },
    {
      name: 'enabledBackend with no backends at all',
      yaml: 'mtls: {enabledBackend: b}',
      expected: [v('mtls.enabledBackend', 'has to be set to one of the backends in the mesh')],
    },
  ]);
});

describe('Mesh validation: logging', () => {
  runCases([
    {
      name: 'backend without a name',
      yaml: 'logging: {backends: [{type: file, conf: {path: /p}}]}',
      expected: [v('logging.backends[0].name', 'cannot be empty')],
    },
    {
      name: 'duplicate backend names',
      yaml: 'logging: {backends: [{name: a, type: file, conf: {path: /p}}, {name: a, type: tcp, conf: {address: "k:1"}}]}',
      expected: [v('logging.backends[1].name', '"a" name is already used for another backend')],
    },
    {
      name: 'tcp backend without an address',
      yaml: 'logging: {backends: [{name: a, type: tcp}]}',
      expected: [v('logging.backends[0].config.address', 'cannot be empty')],
    },
    ...['kibana', ':1234', 'kibana:', 'a:b:1', '[::1]', '[::1]1234', 'ki]bana:1'].map((address) => ({
      name: `tcp address ${JSON.stringify(address)} is not HOST:PORT`,
      yaml: `logging: {backends: [{name: a, type: tcp, conf: {address: ${JSON.stringify(address)}}}]}`,
      expected: [v('logging.backends[0].config.address', 'has to be in format of HOST:PORT')],
    })),
    {
      name: 'tcp addresses with an IPv6 host are accepted',
      yaml: 'logging: {backends: [{name: a, type: tcp, conf: {address: "[::1]:514"}}]}',
      expected: [],
    },
    {
      name: 'file backend without a path',
      yaml: 'logging: {backends: [{name: a, type: file, conf: {}}]}',
      expected: [v('logging.backends[0].config.path', 'cannot be empty')],
    },
    {
      name: 'unknown backend type',
      yaml: 'logging: {backends: [{name: a, type: syslog}]}',
      expected: [v('logging.backends[0].type', 'unknown backend type. Available backends: "tcp", "file"')],
    },
    {
      name: 'defaultBackend names no backend',
      yaml: 'logging: {defaultBackend: b, backends: [{name: a, type: file, conf: {path: /p}}]}',
      expected: [v('logging.defaultBackend', 'has to be set to one of the logging backend in mesh')],
    },
    {
      name: 'conf of the wrong type',
      yaml: 'logging: {backends: [{name: a, type: tcp, conf: {address: 5}}, {name: b, type: file, conf: {path: [x]}}]}',
      expected: [
        v('logging.backends[0].config', 'could not parse config: json: cannot unmarshal number into Go value of type string'),
        v('logging.backends[1].config', 'could not parse config: json: cannot unmarshal array into Go value of type string'),
      ],
    },
    {
      name: 'unknown conf fields are ignored',
      yaml: 'logging: {backends: [{name: a, type: file, conf: {path: /p, rotate: true}}]}',
      expected: [],
    },
  ]);
});

describe('Mesh validation: tracing', () => {
  const zipkin = (url: string) => `tracing: {backends: [{name: z, type: zipkin, conf: {url: ${JSON.stringify(url)}}}]}`;
  runCases([
    {
      name: 'backend without a name',
      yaml: 'tracing: {backends: [{type: zipkin, conf: {url: "http://z:9411"}}]}',
      expected: [v('tracing.backends[0].name', 'cannot be empty')],
    },
    {
      name: 'duplicate backend names',
      yaml: 'tracing: {backends: [{name: z, type: zipkin, conf: {url: "http://z:1"}}, {name: z, type: zipkin, conf: {url: "http://z:2"}}]}',
      expected: [v('tracing.backends[1].name', '"z" name is already used for another backend')],
    },
    {
      name: 'sampling above 100 and below 0',
      yaml: 'tracing: {backends: [{name: a, sampling: 100.5, type: zipkin, conf: {url: "http://z:1"}}, {name: b, sampling: -1, type: zipkin, conf: {url: "http://z:1"}}]}',
      expected: [v('tracing.backends[0].sampling', 'has to be in [0.0 - 100.0] range'), v('tracing.backends[1].sampling', 'has to be in [0.0 - 100.0] range')],
    },
    {
      name: 'sampling of exactly 0 and 100',
      yaml: 'tracing: {backends: [{name: a, sampling: 0, type: zipkin, conf: {url: "http://z:1"}}, {name: b, sampling: 100, type: zipkin, conf: {url: "http://z:1"}}]}',
      expected: [],
    },
    {
      name: 'zipkin without a url',
      yaml: 'tracing: {backends: [{name: z, type: zipkin}]}',
      expected: [v('tracing.backends[0].config.url', 'cannot be empty')],
    },
    ...['not a url', 'http://zip kin:9411/', 'http://[1.2.3.4]:9411/', 'http://z:94a1/', 'http://z:9411/%zz', ':9411', 'http://z\t:1'].map(
      (url) => ({ name: `zipkin url ${JSON.stringify(url)} is invalid`, yaml: zipkin(url), expected: [v('tracing.backends[0].config.url', 'invalid URL')] }),
    ),
    ...['http://zipkin.local/api/v2/spans', 'http://zipkin:/x', 'zipkin.local:9411', '/api/v2/spans', 'http://[::1]/', 'http://z?x=1:9411'].map((url) => ({
      name: `zipkin url ${JSON.stringify(url)} has no port`,
      yaml: zipkin(url),
      expected: [v('tracing.backends[0].config.url', 'port has to be explicitly specified')],
    })),
    ...['http://zipkin.local:9411/api/v2/spans', 'https://user:pw@z:443', 'http://[::1]:9411/', 'http://[fe80::1%25en0]:9411/', 'http://z:9411?x'].map(
      (url) => ({ name: `zipkin url ${JSON.stringify(url)} is accepted`, yaml: zipkin(url), expected: [] }),
    ),
    {
      name: 'zipkin apiVersion outside the allowed values (checked before the url)',
      yaml: 'tracing: {backends: [{name: z, type: zipkin, conf: {apiVersion: grpc}}]}',
      expected: [
        v('tracing.backends[0].config.apiVersion', 'has invalid value. Allowed values: httpJsonV1, httpJson, httpProto'),
        v('tracing.backends[0].config.url', 'cannot be empty'),
      ],
    },
    {
      name: 'datadog without address and port',
      yaml: 'tracing: {backends: [{name: d, type: datadog, conf: {}}]}',
      expected: [v('tracing.backends[0].config.address', 'cannot be empty'), v('tracing.backends[0].config.port', 'port must be in the range [1, 65535]')],
    },
    {
      name: 'datadog port above 65535',
      yaml: 'tracing: {backends: [{name: d, type: datadog, conf: {address: dd, port: 70000}}]}',
      expected: [v('tracing.backends[0].config.port', 'port must be in the range [1, 65535]')],
    },
    {
      name: 'datadog port given as a string of digits is accepted (legacy quote stripping)',
      yaml: 'tracing: {backends: [{name: d, type: datadog, conf: {address: dd, port: "8126"}}]}',
      expected: [],
    },
    {
      name: 'unknown backend type',
      yaml: 'tracing: {backends: [{name: j, type: jaeger}]}',
      expected: [v('tracing.backends[0].type', 'unknown backend type. Available backends: "zipkin", "datadog"')],
    },
    {
      name: 'defaultBackend names no backend',
      yaml: 'tracing: {defaultBackend: x, backends: [{name: z, type: zipkin, conf: {url: "http://z:1"}}]}',
      expected: [v('tracing.defaultBackend', 'has to be set to one of the tracing backend in mesh')],
    },
  ]);

  const datadogPort = (port: string) => `tracing: {backends: [{name: d, type: datadog, conf: {address: dd, port: ${port}}}]}`;
  const portErrors: [string, string][] = [
    ['-1', 'json: cannot unmarshal number -1 into Go value of type uint32'],
    ['1.5', 'json: cannot unmarshal number 1.5 into Go value of type uint32'],
    ['4294967296', 'json: cannot unmarshal number 4294967296 into Go value of type uint32'],
    ['true', 'json: cannot unmarshal bool into Go value of type uint32'],
    ['{a: 1}', 'json: cannot unmarshal object into Go value of type uint32'],
    ['"abc"', "invalid character 'a' looking for beginning of value"],
    ['"8o"', "invalid character 'o' after top-level value"],
    ['""', 'unexpected end of JSON input'],
    ['"-x"', "invalid character 'x' in numeric literal"],
    ['"1."', 'unexpected end of JSON input'],
    ['"1.x"', "invalid character 'x' after decimal point in numeric literal"],
    ['"1ex"', "invalid character 'x' in exponent of numeric literal"],
    ['"tru"', 'unexpected end of JSON input'],
    ['"trUe"', "invalid character 'U' in literal true (expecting 'u')"],
    ['"<1"', "invalid character '\\\\' looking for beginning of value"],
    ['"[1,]"', "invalid character ']' looking for beginning of value"],
    ['"[1"', 'unexpected end of JSON input'],
    ['"[1]"', 'json: cannot unmarshal array into Go value of type uint32'],
  ];
  for (const [port, message] of portErrors) {
    it(`datadog port ${port} reports the Go decoder error`, () => {
      assert.deepEqual(validate(datadogPort(port)), [v('tracing.backends[0].config', `could not parse config: ${message}`)]);
    });
  }
});

describe('Mesh validation: metrics', () => {
  const prometheus = (conf: string) => `metrics: {backends: [{name: p, type: prometheus, conf: ${conf}}]}`;
  runCases([
    {
      name: 'duplicate backend names',
      yaml: 'metrics: {backends: [{name: p, type: prometheus}, {name: p, type: prometheus}]}',
      expected: [v('metrics.backends[1].name', '"p" name is already used for another backend')],
    },
    {
      name: 'unknown backend type',
      yaml: 'metrics: {backends: [{name: s, type: statsd}]}',
      expected: [v('metrics.backends[0].type', 'unknown backend type. Available backends: "prometheus"')],
    },
    {
      name: 'enabledBackend names no backend',
      yaml: 'metrics: {enabledBackend: x, backends: [{name: p, type: prometheus}]}',
      expected: [v('metrics.enabledBackend', 'has to be set to one of the backends in the mesh')],
    },
    {
      name: 'duplicate aggregate names',
      yaml: prometheus('{aggregate: [{name: app, port: 1}, {name: app, port: 2}, {name: side}, {name: side}]}'),
      expected: [
        v('metrics.backends[0].conf.aggregate[1].name', 'duplicate entry: app, values have to be unique'),
        v('metrics.backends[0].conf.aggregate[3].name', 'duplicate entry: side, values have to be unique'),
      ],
    },
    ...[
      '{skipMTLS: true, tls: {}}',
      '{skipMTLS: true, tls: {mode: activeMTLSBackend}}',
      '{skipMTLS: false, tls: {mode: disabled}}',
      '{skipMTLS: true, tls: {mode: providedTLS}}',
      '{skipMTLS: false, tls: {mode: providedTLS}}',
    ].map((conf) => ({
      name: `skipMTLS and tls disagree: ${conf}`,
      yaml: prometheus(conf),
      expected: [v('metrics.backends[0].conf', 'skipMTLS and tls configuration cannot be defined together')],
    })),
    ...['{skipMTLS: true, tls: {mode: disabled}}', '{skipMTLS: false, tls: {}}', '{tls: {mode: providedTLS}}', '{skipMTLS: true}'].map((conf) => ({
      name: `skipMTLS and tls agree: ${conf}`,
      yaml: prometheus(conf),
      expected: [],
    })),
    {
      name: 'conf that does not decode',
      yaml: prometheus('{tls: {mode: strict}}'),
      expected: [
        v('metrics.backends[0].conf', 'could not parse config: unknown value "\\"strict\\"" for enum kuma.mesh.v1alpha1.PrometheusTlsConfig.Mode'),
      ],
    },
    {
      name: 'tags that are not strings',
      yaml: prometheus('{tags: {a: 1}}'),
      expected: [v('metrics.backends[0].conf', 'could not parse config: json: cannot unmarshal number into Go value of type string')],
    },
    {
      name: 'aggregate that is not a list',
      yaml: prometheus('{aggregate: {name: a}}'),
      expected: [v('metrics.backends[0].conf', 'could not parse config: json: cannot unmarshal object into Go value of type []json.RawMessage')],
    },
  ]);

  const regexCases: [string, string | undefined][] = [
    ['^server[0-9]+', undefined],
    ['(?P<name>a)(?<other>b)', undefined],
    ['(?i)abc(?-s:x)', undefined],
    ['\\pL\\p{Greek}\\p{^Lu}\\PN\\p{letter}', undefined],
    ['[[:alpha:]][^\\d\\]-]', undefined],
    ['a{2}b{1,}c{0,3}x{', undefined],
    ['\\Qa.b*\\E+', undefined],
    ['\\x41\\x{263a}\\101\\n', undefined],
    ['^*', undefined],
    ['(abc', 'missing closing ): `(abc`'],
    ['abc)', 'unexpected ): `abc)`'],
    ['[a', 'missing closing ]: `[a`'],
    ['x[]a', 'missing closing ]: `[]a`'],
    ['*a', 'missing argument to repetition operator: `*`'],
    ['a|+?', 'missing argument to repetition operator: `+?`'],
    ['({2})', 'missing argument to repetition operator: `{2}`'],
    ['a**', 'invalid nested repetition operator: `**`'],
    ['a*??', 'invalid nested repetition operator: `*??`'],
    ['a{2}{3}', 'invalid nested repetition operator: `{2}{3}`'],
    ['a{2,1}', 'invalid repeat count: `{2,1}`'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['\\1', 'invalid escape sequence: `\\1`'],
    ['\\Z', 'invalid escape sequence: `\\Z`'],
    ['\\C', 'invalid escape sequence: `\\C`'],
    ['\\xZZ', 'invalid escape sequence: `\\xZZ`'],
    ['[\\b]', 'invalid escape sequence: `\\b`'],
    ['a\\', 'trailing backslash at end of expression: ``'],
    ['[z-a]', 'invalid character class range: `z-a`'],
    ['[[:foo:]]', 'invalid character class range: `[:foo:]`'],
    ['\\p{Foo}', 'invalid character class range: `\\p{Foo}`'],
    ['\\p{Greek', 'invalid character class range: `\\p{Greek`'],
    ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(?P=n)', 'invalid or unsupported Perl syntax: `(?P`'],
    ['(?i', 'invalid or unsupported Perl syntax: `(?i`'],
    ['(?-)', 'invalid or unsupported Perl syntax: `(?-)`'],
    ['(?<=a)b', 'invalid named capture: `(?<=a)b`'],
    ['(?P<a-b>x)', 'invalid named capture: `(?P<a-b>`'],
  ];
  for (const [regex, error] of regexCases) {
    it(`envoy.filterRegex ${JSON.stringify(regex)} ${error ? 'is rejected' : 'compiles'}`, () => {
      const expected = error
        ? [v('metrics.backends[0].conf.envoy.filterRegex', `provided regexp isn't correct: error parsing regexp: ${error}`)]
        : [];
      assert.deepEqual(validate(prometheus(`{envoy: {filterRegex: ${JSON.stringify(regex)}}}`)), expected);
    });
  }
});

describe('Mesh validation: constraints', () => {
  const rules = `
    - tags: {}
    - tags: {"": ""}
    - tags: {"!@#$": "!@#$"}`;
  const selector = (list: 'requirements' | 'restrictions', i: number) => `constraints.dataplaneProxy.${list}[${i}].tags`;
  const expectedFor = (list: 'requirements' | 'restrictions') => [
    v(selector(list, 0), 'must have at least one tag'),
    v(selector(list, 1), 'tag name must be non-empty'),
    v(`${selector(list, 1)}[""]`, 'tag value must be non-empty'),
    v(`${selector(list, 2)}["!@#$"]`, 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores'),
    v(`${selector(list, 2)}["!@#$"]`, 'tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be "*"'),
  ];
  runCases([
    {
      name: 'requirements and restrictions use the selector rules',
      yaml: `constraints:\n  dataplaneProxy:\n    requirements:${rules}\n    restrictions:${rules}`,
      expected: [...expectedFor('requirements'), ...expectedFor('restrictions')],
    },
    {
      name: 'tag keys are checked in sorted order',
      yaml: 'constraints: {dataplaneProxy: {requirements: [{tags: {"z!": a, "a!": b}}]}}',
      expected: [
        v(`${selector('requirements', 0)}["a!"]`, 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores'),
        v(`${selector('requirements', 0)}["z!"]`, 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores'),
      ],
    },
    {
      name: 'a "*" value and slashes are fine',
      yaml: 'constraints: {dataplaneProxy: {restrictions: [{tags: {kuma.io/zone: "*", team: a/b}}]}}',
      expected: [],
    },
    { name: 'empty dataplaneProxy', yaml: 'constraints: {dataplaneProxy: {}}', expected: [] },
  ]);
});

describe('Mesh validation: zone egress', () => {
  runCases([
    { name: 'zoneEgress without mTLS', yaml: 'routing: {zoneEgress: true}', expected: [v('mtls', 'has to be set when zoneEgress enabled')] },
    {
      name: 'zoneEgress with mTLS',
      yaml: 'routing: {zoneEgress: true}\nmtls: {enabledBackend: ca, backends: [{name: ca, type: builtin}]}',
      expected: [],
    },
    {
      name: 'zoneEgress with mTLS backends but none enabled',
      yaml: 'routing: {zoneEgress: true}\nmtls: {backends: [{name: ca, type: builtin}]}',
      expected: [v('mtls', 'has to be set when zoneEgress enabled')],
    },
  ]);
});

describe('Mesh validation: manager rules', () => {
  const longName = 'm'.repeat(64);
  const labels = Array.from({ length: 22 }, (_, i) => `label${String(i).padStart(5, '0')}`).join('.');
  runCases([
    { name: 'mesh name longer than 63 on create', yaml: '{}', ctx: { name: longName }, expected: [v('name', 'cannot be longer than 63 characters')] },
    { name: 'mesh name of exactly 63', yaml: '{}', ctx: { name: 'm'.repeat(63) }, expected: [] },
    { name: 'the name length is a create-only rule', yaml: '{}', ctx: { name: longName, previous: {} }, expected: [] },
    {
      name: 'unknown CA type',
      yaml: 'mtls: {backends: [{name: ca, type: bulitin}]}',
      expected: [v('mtls.backends[0].type', 'could not find installed plugin for this type')],
    },
    {
      name: 'CA backend without a type',
      yaml: 'mtls: {backends: [{name: ca}]}',
      expected: [v('mtls.backends[0].type', 'could not find installed plugin for this type')],
    },
    {
      name: 'the CA plugin check stops at the first unknown type',
      yaml: 'mtls: {backends: [{name: a, type: x}, {name: B, type: y}]}',
      expected: [v('mtls.backends', 'cannot have more than 1 backends'), v('mtls.backends[0].type', 'could not find installed plugin for this type')],
    },
    {
      name: 'builtin backend name with capitals (path as Kuma nests it under conf)',
      yaml: 'mtls: {backends: [{name: builtinCA, type: builtin}]}',
      expected: [v('mtls.backends[0].conf.mtls.backends.name', '"builtinCA" name must be valid dns name')],
    },
    {
      name: 'builtin backend name that makes a DNS label longer than 63',
      yaml: `mtls: {backends: [{name: ${'a'.repeat(48)}, type: builtin}]}`,
      expected: [v('mtls.backends[0].conf.mtls.backends.name', `"${'a'.repeat(48)}" name must be valid dns name`)],
    },
    {
      name: 'builtin backend name that keeps the DNS label at 63',
      yaml: `mtls: {backends: [{name: ${'a'.repeat(47)}, type: builtin}]}`,
      expected: [],
    },
    {
      name: 'builtin backend name that makes the secret name longer than 255',
      yaml: `mtls: {backends: [{name: ${labels}, type: builtin}]}`,
      expected: [v('mtls.backends[0].conf.mtls.backends.name', 'Backend name is too long. Max length: 255')],
    },
    {
      name: 'builtin backend name with an underscore is a valid DNS name for govalidator',
      yaml: 'mtls: {backends: [{name: ca_1, type: builtin}]}',
      expected: [],
    },
    {
      name: 'the mesh name is part of the builtin secret name',
      yaml: 'mtls: {backends: [{name: ca, type: builtin}]}',
      ctx: { name: 'Mesh' },
      expected: [v('mtls.backends[0].conf.mtls.backends.name', '"ca" name must be valid dns name')],
    },
    {
      name: 'builtin conf that does not decode',
      yaml: 'mtls: {backends: [{name: ca, type: builtin, conf: {caCert: {RSAbits: abc}}}]}',
      expected: [v('mtls.backends[0].conf', "could not convert backend config: invalid character 'a' looking for beginning of value")],
    },
    {
      name: 'builtin conf errors do not hide the name check',
      yaml: 'mtls: {backends: [{name: CA, type: builtin, conf: {caCert: oops}}]}',
      expected: [
        v('mtls.backends[0].conf', 'could not convert backend config: json: cannot unmarshal string into Go value of type map[string]json.RawMessage'),
        v('mtls.backends[0].conf.mtls.backends.name', '"CA" name must be valid dns name'),
      ],
    },
    {
      name: 'builtin RSAbits as a quoted number is accepted',
      yaml: 'mtls: {backends: [{name: ca, type: builtin, conf: {caCert: {RSAbits: "4096"}}}]}',
      expected: [],
    },
    {
      name: 'skipValidation skips the plugin checks but not the type lookup',
      yaml: 'mtls: {skipValidation: true, backends: [{name: BAD, type: builtin}]}',
      expected: [],
    },
    {
      name: 'skipValidation still needs an installed type',
      yaml: 'mtls: {skipValidation: true, backends: [{name: ca, type: vault}]}',
      expected: [v('mtls.backends[0].type', 'could not find installed plugin for this type')],
    },
    {
      name: 'provided CA without cert and key',
      yaml: 'mtls: {backends: [{name: ca, type: provided}]}',
      expected: [v('mtls.backends[0].conf.cert', 'has to be defined'), v('mtls.backends[0].conf.key', 'has to be defined')],
    },
    {
      name: 'provided CA with empty data sources',
      yaml: 'mtls: {backends: [{name: ca, type: provided, conf: {cert: {}, key: {}}}]}',
      expected: [
        v('mtls.backends[0].conf.cert', 'data source has to be chosen. Available sources: secret, file, inline'),
        v('mtls.backends[0].conf.key', 'data source has to be chosen. Available sources: secret, file, inline'),
      ],
    },
    {
      name: 'provided CA with empty secret and file names',
      yaml: 'mtls: {backends: [{name: ca, type: provided, conf: {cert: {secret: ""}, key: {file: ""}}}]}',
      expected: [v('mtls.backends[0].conf.cert.secret', 'cannot be empty'), v('mtls.backends[0].conf.key.file', 'cannot be empty')],
    },
    {
      name: 'provided CA with empty inline data',
      yaml: 'mtls: {backends: [{name: ca, type: provided, conf: {cert: {inline: ""}, key: {inlineString: ""}}}]}',
      expected: [v('mtls.backends[0].conf.cert.inline', 'cannot be empty')],
    },
    {
      name: 'provided CA data source: the last oneof member wins',
      yaml: 'mtls: {backends: [{name: ca, type: provided, conf: {cert: {secret: s, file: ""}, key: {secret: k}}}]}',
      expected: [v('mtls.backends[0].conf.cert.file', 'cannot be empty')],
    },
    ...(
      [
        ['!!', 0],
        ['YQ', 0],
        ['YQ=', 3],
        ['YQ==x', 4],
        ['Y===', 1],
      ] as const
    ).map(([inline, offset]) => ({
      name: `provided CA inline ${JSON.stringify(inline)} is not base64`,
      yaml: `mtls: {backends: [{name: ca, type: provided, conf: {cert: {inline: "${inline}"}, key: {secret: k}}}]}`,
      expected: [v('mtls.backends[0].conf', `could not convert backend config: illegal base64 data at input byte ${offset}`)],
    })),
    {
      name: 'provided CA with secrets and inline data',
      yaml: 'mtls: {backends: [{name: ca, type: provided, conf: {cert: {inline: "YWJj"}, key: {secret: k}}}]}',
      expected: [],
    },
    {
      name: 'changing the enabled CA while mTLS stays on',
      yaml: 'mtls: {enabledBackend: ca-2, backends: [{name: ca-2, type: builtin}]}',
      ctx: { previous: { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } } },
      expected: [v('mtls.enabledBackend', 'Changing CA when mTLS is enabled is forbidden. Disable mTLS first and then change the CA')],
    },
    {
      name: 'enabling mTLS on a mesh that had it off',
      yaml: 'mtls: {enabledBackend: ca-2, backends: [{name: ca-2, type: builtin}]}',
      ctx: { previous: { mtls: { backends: [{ name: 'ca-1', type: 'builtin' }] } } },
      expected: [],
    },
    {
      name: 'disabling mTLS',
      yaml: 'mtls: {backends: [{name: ca-2, type: builtin}]}',
      ctx: { previous: { mtls: { enabledBackend: 'ca-1' } } },
      expected: [],
    },
    {
      name: 'keeping the same CA',
      yaml: 'mtls: {enabledBackend: ca-1, backends: [{name: ca-1, type: builtin}]}',
      ctx: { previous: { mtls: { enabledBackend: 'ca-1' } } },
      expected: [],
    },
  ]);
});

describe('Mesh validation: everything at once', () => {
  runCases([
    {
      name: 'violations from every section, in Kuma order',
      ctx: { name: 'x'.repeat(64) },
      yaml: `
mtls:
  backends: [{name: ca, type: other, dpCert: {rotation: {expiration: soon}}}]
logging:
  defaultBackend: missing
  backends:
  - type: file
    conf: {path: /p}
  - name: file-1
    type: file
  - name: tcp-1
    type: tcp
  - name: tcp-1
    type: tcp
    conf: {address: "k:1"}
tracing:
  backends: [{name: z, type: zipkin, sampling: 101, conf: {url: "http://z/"}}]
metrics:
  backends: [{name: s, type: statsd}]
constraints:
  dataplaneProxy:
    requirements: [{tags: {}}]
routing: {zoneEgress: true}
`,
      expected: [
        v('mtls.dpcert.rotation.expiration', 'has to be a valid format'),
        v('logging.backends[0].name', 'cannot be empty'),
        v('logging.backends[1].config.path', 'cannot be empty'),
        v('logging.backends[2].config.address', 'cannot be empty'),
        v('logging.backends[3].name', '"tcp-1" name is already used for another backend'),
        v('logging.defaultBackend', 'has to be set to one of the logging backend in mesh'),
        v('tracing.backends[0].sampling', 'has to be in [0.0 - 100.0] range'),
        v('tracing.backends[0].config.url', 'port has to be explicitly specified'),
        v('metrics.backends[0].type', 'unknown backend type. Available backends: "prometheus"'),
        v('constraints.dataplaneProxy.requirements[0].tags', 'must have at least one tag'),
        v('mtls', 'has to be set when zoneEgress enabled'),
        v('name', 'cannot be longer than 63 characters'),
        v('mtls.backends[0].type', 'could not find installed plugin for this type'),
      ],
    },
  ]);
});

describe('Mesh defaults', () => {
  const metricsConf = (spec: Spec, i = 0) => (spec.metrics as { backends: { conf?: Record<string, unknown> }[] }).backends[i].conf;

  it('fills in the Prometheus port, path, tags and TLS mode', () => {
    const out = applyMeshDefaults(parseMesh('metrics: {backends: [{name: p, type: prometheus}]}').spec);
    assert.deepEqual(metricsConf(out), { port: 5670, path: '/metrics', tags: { 'kuma.io/service': 'dataplane-metrics' }, tls: {} });
  });

  it('keeps explicit values, drops unknown conf fields and normalises numbers', () => {
    const out = applyMeshDefaults(
      parseMesh('metrics: {backends: [{name: p, type: prometheus, conf: {port: "1234", path: /m, tags: {a: b}, extra: 1, skipMTLS: false}}]}').spec,
    );
    assert.deepEqual(metricsConf(out), { port: 1234, path: '/m', tags: { a: 'b' }, skipMTLS: false, tls: {} });
  });

  it('derives the TLS mode from skipMTLS', () => {
    const out = applyMeshDefaults(parseMesh('metrics: {backends: [{name: p, type: prometheus, conf: {skipMTLS: true}}]}').spec);
    assert.deepEqual(metricsConf(out)?.tls, { mode: 'disabled' });
    assert.equal(metricsConf(out)?.skipMTLS, true);
  });

  it('drops skipMTLS when the TLS mode is providedTLS', () => {
    const out = applyMeshDefaults(parseMesh('metrics: {backends: [{name: p, type: prometheus, conf: {skipMTLS: true, tls: {mode: providedTLS}}}]}').spec);
    assert.equal('skipMTLS' in (metricsConf(out) ?? {}), false);
    assert.deepEqual(metricsConf(out)?.tls, { mode: 'providedTLS' });
    assert.deepEqual(validateMesh(out, { name: 'default', mesh: '', labels: {} }), []);
  });

  it('leaves other backends, undecodable conf and the input untouched', () => {
    const { spec } = parseMesh(`
metrics:
  backends:
  - {name: s, type: statsd, conf: {x: 1}}
  - {name: p, type: prometheus, conf: {port: abc}}
`);
    const before = structuredClone(spec);
    const out = applyMeshDefaults(spec);
    assert.deepEqual(out, before);
    assert.deepEqual(spec, before);
  });

  it('returns a mesh without metrics as it is', () => {
    const { spec } = parseMesh(COMPAT_EXAMPLE);
    assert.equal(applyMeshDefaults(spec), spec);
  });
});

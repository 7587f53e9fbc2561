import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { Spec } from '../../src/core/resource.js';
import { parseMessage } from '../../src/core/schema.js';
import { FieldPath, Violations, type Violation } from '../../src/core/validation.js';
import {
  DataplaneKind,
  dataplaneSchema,
  identifyingService,
  isBuiltinGateway,
  isDelegatedGateway,
  isGateway,
  tagSets,
  validateDataplane,
} from '../../src/resources/dataplane.js';

const META_FIELDS = new Set(['type', 'name', 'mesh']);
const ctx = { name: 'dp-1', mesh: 'default', labels: {} };

const PORT_RANGE = 'port must be in the range [1, 65535]';
const MISSING_SERVICE = 'mandatory tag "kuma.io/service" is missing';
const SAME_AS_INBOUND = 'serviceAddress and servicePort has to differ from address and port';
const KINDS = 'invalid value. Available values are: MeshExternalService,MeshMultiZoneService,MeshService';
const BUILTIN = 'builtin gateways are not supported by Ferry; use type DELEGATED (or omit type)';
const TAG_NAME_CHARS = 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores';
const TAG_VALUE_CHARS = 'tag value must consist of alphanumeric characters, dots, dashes and underscores';
const RFC1123 =
  "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const HINT = 'Allowed values: grpc, http, http2, kafka, tcp';

/** Strips the indentation the template literal adds. */
function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

function parseDoc(doc: unknown): { spec: Spec; violations: Violation[] } {
  const v = new Violations();
  const spec = parseMessage(dataplaneSchema, doc, FieldPath.root(), v, META_FIELDS) ?? {};
  return { spec, violations: v.list };
}

function parseSpec(yamlText: string): { spec: Spec; violations: Violation[] } {
  return parseDoc(parseYaml(dedent(yamlText)));
}

/** Parses (which must be clean) then validates. */
function validate(yamlText: string): Violation[] {
  const { spec, violations } = parseSpec(yamlText);
  assert.deepEqual(violations, [], 'the schema must accept the document');
  return validateDataplane(spec, ctx);
}

const at = (field: string, message: string): Violation => ({ field, message });

interface Case {
  name: string;
  yaml: string;
  expected: Violation[];
}

function runCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(validate(c.yaml), c.expected));
  }
}

describe('Dataplane validation: valid dataplanes', () => {
  runCases([
    {
      name: 'inbounds and outbounds',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 8080, tags: {kuma.io/service: backend, version: "1"}}
          outbound:
            - {port: 3333, tags: {kuma.io/service: redis}}`,
      expected: [],
    },
    {
      name: 'every inbound and outbound field set',
      yaml: `
        networking:
          address: 192.168.0.1
          advertisedAddress: 10.0.0.1
          inbound:
            - port: 8080
              servicePort: 7777
              address: 127.0.0.1
              serviceAddress: 127.0.0.2
              name: http
              protocol: HTTP
              state: NotReady
              health: {ready: false}
              serviceProbe: {interval: 1s, timeout: 2s, unhealthyThreshold: 5, healthyThreshold: 1, tcp: {}}
              tags: {kuma.io/service: backend, kuma.io/protocol: gRPC, version: "1"}
          outbound:
            - {port: 3333, address: 127.0.0.1, tags: {kuma.io/service: redis}}`,
      expected: [],
    },
    {
      name: 'IPv6 addresses, including the expanded IPv4-mapped form',
      yaml: `
        networking:
          address: 0:0:0:0:0:FFFF:C0A8:0001
          inbound:
            - {port: 8080, servicePort: 7777, address: "::1", tags: {kuma.io/service: backend}}
          outbound:
            - {port: 3333, address: "fe80::1:2", tags: {kuma.io/service: redis}}`,
      expected: [],
    },
    {
      name: 'a domain name as the address',
      yaml: `
        networking:
          address: backend_1.example.com.
          inbound:
            - {port: 8080, tags: {kuma.io/service: backend}}`,
      expected: [],
    },
    {
      name: 'an all-numeric name that is not an IP passes as a domain name (govalidator)',
      yaml: `
        networking:
          address: 1.2.3
          inbound:
            - {port: 8080, tags: {kuma.io/service: backend}}`,
      expected: [],
    },
    {
      name: 'inbounds without tags need no service tag',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - port: 8080`,
      expected: [],
    },
    {
      name: 'outbound-only and transparent proxy without inbounds',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, tags: {kuma.io/service: redis}}
          transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001, ipFamilyMode: DualStack}`,
      expected: [],
    },
    {
      name: 'backend refs: MeshService by name, by labels, MeshExternalService without port',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, backendRef: {kind: MeshService, name: xyz, port: 80}}
            - {port: 3334, backendRef: {kind: MeshService, labels: {kuma.io/display-name: redis}, port: 8080}}
            - {port: 3335, backendRef: {kind: MeshExternalService, name: ext}}
            - {port: 3336, backendRef: {kind: MeshMultiZoneService, name: mz, port: 80}}`,
      expected: [],
    },
    {
      name: 'reachable backends',
      yaml: `
        networking:
          address: 192.168.0.1
          transparentProxying:
            reachableBackends:
              refs:
                - {kind: MeshService, name: a, port: 9090}
                - {kind: MeshExternalService, name: es, namespace: es1}
                - {kind: MeshMultiZoneService, labels: {kuma.io/test: abc}}`,
      expected: [],
    },
    {
      name: 'probes and metrics',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 8080, tags: {kuma.io/service: backend}}
        probes:
          port: 9000
          endpoints:
            - {inboundPort: 8080, inboundPath: /healthz, path: /8080/healthz}
        metrics:
          type: prometheus
          conf: {port: 5670, path: /metrics}`,
      expected: [],
    },
    {
      name: 'admin port equal to inbound and outbound ports on other interfaces',
      yaml: `
        networking:
          address: 192.168.0.1
          admin: {port: 8080}
          inbound:
            - {port: 8080, servicePort: 7777, address: 192.168.0.1, tags: {kuma.io/service: backend}}
          outbound:
            - {port: 8080, address: 192.168.0.1, tags: {kuma.io/service: redis}}`,
      expected: [],
    },
    {
      name: 'zone proxy listeners beside an inbound',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 8080, name: http, tags: {kuma.io/service: backend}}
          listeners:
            - {type: ZoneIngress, address: 192.168.0.1, port: 10001, name: zi-main}
            - {type: ZoneEgress, address: 192.168.0.1, port: 10002, state: NotReady}`,
      expected: [],
    },
    {
      name: 'delegated gateway with tcp protocol in any case',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway:
            tags: {kuma.io/service: kong, kuma.io/protocol: TCP, kuma.io/valid: abc.0123-789.under_score:90}
          outbound:
            - {port: 3333, tags: {kuma.io/service: redis}}`,
      expected: [],
    },
    {
      name: 'delegated gateway with an empty gateway block',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway: {}`,
      expected: [],
    },
    {
      name: 'delegated gateway with explicit type and empty tags',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway: {type: DELEGATED, tags: {}}`,
      expected: [],
    },
  ]);
});

describe('Dataplane validation: networking and address', () => {
  runCases([
    {
      name: 'missing networking stops validation',
      yaml: `
        probes: {port: 0}
        metrics: {type: custom}`,
      expected: [at('networking', 'must be defined')],
    },
    {
      name: 'empty networking',
      yaml: `
        networking: {}`,
      expected: [at('networking.address', "address can't be empty")],
    },
    {
      name: 'an empty address stops only the address checks',
      yaml: `
        networking:
          inbound:
            - {port: 0, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.address', "address can't be empty"), at('networking.inbound[0].port', PORT_RANGE)],
    },
    {
      name: 'address 0.0.0.0',
      yaml: `
        networking:
          address: 0.0.0.0`,
      expected: [at('networking.address', 'must not be 0.0.0.0 or ::')],
    },
    {
      name: 'address ::',
      yaml: `
        networking:
          address: "::"`,
      expected: [at('networking.address', 'must not be 0.0.0.0 or ::')],
    },
    ...['..>_<..', 'a..b', '-leading.dash', `${'a'.repeat(64)}.com`, '1.2.3.04/8', 'fe80::1%eth0', '010.0.0.1:x'].map((address) => ({
      name: `address ${JSON.stringify(address)} is neither an IP nor a domain name`,
      yaml: `
        networking:
          address: ${JSON.stringify(address)}`,
      expected: [at('networking.address', 'address has to be valid IP address or domain name')],
    })),
  ]);
});

describe('Dataplane validation: admin port', () => {
  runCases([
    {
      name: 'equal to an inbound port on 127.0.0.1',
      yaml: `
        networking:
          address: 192.168.0.1
          admin: {port: 8080}
          inbound:
            - {port: 8080, servicePort: 7777, address: 127.0.0.1, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.admin.port', 'must differ from inbound')],
    },
    {
      name: "equal to an inbound's workload port on 127.0.0.1",
      yaml: `
        networking:
          address: 192.168.0.1
          admin: {port: 7777}
          inbound:
            - {port: 8080, servicePort: 7777, serviceAddress: 127.0.0.1, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.admin.port', 'must differ from inbound')],
    },
    {
      name: 'equal to an inbound port on the wildcard address',
      yaml: `
        networking:
          address: 192.168.0.1
          admin: {port: 8080}
          inbound:
            - {port: 8080, servicePort: 7777, address: 0.0.0.0, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.admin.port', 'must differ from inbound')],
    },
    {
      name: 'equal to an inbound port on the IPv4-mapped loopback',
      yaml: `
        networking:
          address: 192.168.0.1
          admin: {port: 8080}
          inbound:
            - {port: 8080, servicePort: 7777, address: "::ffff:127.0.0.1", tags: {kuma.io/service: backend}}`,
      expected: [at('networking.admin.port', 'must differ from inbound')],
    },
    {
      name: 'equal to an outbound port on the default outbound address',
      yaml: `
        networking:
          address: 192.168.0.1
          admin: {port: 3333}
          outbound:
            - {port: 3333, tags: {kuma.io/service: redis}}`,
      expected: [at('networking.admin.port', 'must differ from outbound')],
    },
    {
      name: 'equal to both',
      yaml: `
        networking:
          address: 127.0.0.1
          admin: {port: 3333}
          inbound:
            - {port: 3333, servicePort: 7777, tags: {kuma.io/service: backend}}
          outbound:
            - {port: 3333, address: "::", tags: {kuma.io/service: redis}}`,
      expected: [at('networking.admin.port', 'must differ from inbound'), at('networking.admin.port', 'must differ from outbound')],
    },
  ]);
});

describe('Dataplane validation: delegated gateways', () => {
  runCases([
    {
      name: 'inbounds are banned',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 8080, servicePort: 7777, tags: {kuma.io/service: backend}}
          gateway:
            tags: {kuma.io/service: kong}`,
      expected: [at('networking.inbound', 'inbound cannot be defined for delegated gateways')],
    },
    {
      name: 'listeners are banned and not validated further',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway:
            tags: {kuma.io/service: kong}
          listeners:
            - {port: 0, name: ze-port}`,
      expected: [at('networking.listeners', 'listeners cannot be defined for delegated gateways')],
    },
    {
      name: 'non-empty tags need kuma.io/service',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway:
            tags: {version: v1}`,
      expected: [at('networking.gateway.tags', MISSING_SERVICE)],
    },
    {
      name: 'protocol other than tcp',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway:
            tags: {kuma.io/service: kong, kuma.io/protocol: http}`,
      expected: [at('networking.gateway.tags["kuma.io/protocol"]', 'other values than tcp are not allowed, provided value "http"')],
    },
    {
      name: 'empty protocol is reported by the protocol rule and the empty-value rule',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway:
            tags: {kuma.io/service: kong, kuma.io/protocol: ""}`,
      expected: [
        at('networking.gateway.tags["kuma.io/protocol"]', 'other values than tcp are not allowed, provided value ""'),
        at('networking.gateway.tags["kuma.io/protocol"]', 'tag value must be non-empty'),
      ],
    },
    {
      name: 'the protocol rule runs before the per-key rules, which run in sorted key order',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway:
            tags: {zz@z: x, kuma.io/service: kong, kuma.io/protocol: grpc, a@b: y}`,
      expected: [
        at('networking.gateway.tags["kuma.io/protocol"]', 'other values than tcp are not allowed, provided value "grpc"'),
        at('networking.gateway.tags["a@b"]', TAG_NAME_CHARS),
        at('networking.gateway.tags["zz@z"]', TAG_NAME_CHARS),
      ],
    },
    {
      name: 'tag value charset (no slashes in values)',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway:
            tags: {kuma.io/service: kong/v1}`,
      expected: [at('networking.gateway.tags["kuma.io/service"]', TAG_VALUE_CHARS)],
    },
    {
      name: 'empty tag name and empty value, then the missing service tag last',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway:
            tags: {"": x, version: ""}`,
      expected: [
        at('networking.gateway.tags', 'tag name must be non-empty'),
        at('networking.gateway.tags["version"]', 'tag value must be non-empty'),
        at('networking.gateway.tags', MISSING_SERVICE),
      ],
    },
    {
      name: 'address is required',
      yaml: `
        networking:
          gateway: {}`,
      expected: [at('networking.address', "address can't be empty")],
    },
    {
      name: 'address 0.0.0.0',
      yaml: `
        networking:
          address: 0.0.0.0
          gateway: {}`,
      expected: [at('networking.address', 'must not be 0.0.0.0 or ::')],
    },
    {
      name: 'address ::',
      yaml: `
        networking:
          address: "::"
          gateway: {}`,
      expected: [at('networking.address', 'must not be 0.0.0.0 or ::')],
    },
    {
      name: 'invalid address',
      yaml: `
        networking:
          address: not_valid!
          gateway: {}`,
      expected: [at('networking.address', 'address has to be valid IP address or domain name')],
    },
    {
      name: 'outbounds and probes are validated, metrics are not',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway: {tags: {kuma.io/service: kong}}
          outbound:
            - {port: 70000, tags: {kuma.io/service: redis}}
        probes: {port: 9000, endpoints: [{inboundPort: 8080, inboundPath: healthz, path: /h}]}
        metrics: {type: custom}`,
      expected: [at('networking.outbound[0].port', PORT_RANGE), at('probes.endpoints[0].inboundPath', 'should be a valid URL Path')],
    },
  ]);
});

describe('Dataplane validation: builtin gateways', () => {
  runCases([
    {
      name: 'rejected by Ferry even when Kuma would accept it',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway: {type: BUILTIN, tags: {kuma.io/service: edge}}`,
      expected: [at('networking.gateway.type', BUILTIN)],
    },
    {
      name: "Kuma's builtin rules still apply, and probes are not validated",
      yaml: `
        networking:
          address: 192.168.0.1
          gateway: {type: BUILTIN, tags: {kuma.io/service: edge}}
          inbound:
            - {port: 3333, tags: {kuma.io/service: edge}}
          outbound:
            - {port: 0, tags: {kuma.io/service: redis}}
          listeners:
            - {type: ZoneEgress, address: 192.168.0.1, port: 10002}
        probes: {port: 0, endpoints: [{inboundPort: 8088, inboundPath: /healthz, path: /8080/healthz}]}`,
      expected: [
        at('networking.gateway.type', BUILTIN),
        at('networking.inbound', 'inbound cannot be defined for builtin gateways'),
        at('networking.outbound', 'outbound cannot be defined for builtin gateways'),
        at('networking.listeners', 'listeners cannot be defined for builtin gateways'),
        at('networking.probes', 'probes cannot be defined for builtin gateways'),
        at('networking.outbound[0].port', PORT_RANGE),
      ],
    },
    {
      name: 'service tag required',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway: {type: 1, tags: {foo: bar}}`,
      expected: [at('networking.gateway.type', BUILTIN), at('networking.gateway.tags', MISSING_SERVICE)],
    },
  ]);
});

describe('Dataplane validation: inbounds', () => {
  runCases([
    {
      name: 'ports 0 and 65536',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {tags: {kuma.io/service: backend}}
            - {port: 65536, tags: {kuma.io/service: sub-backend}}`,
      expected: [at('networking.inbound[0].port', PORT_RANGE), at('networking.inbound[1].port', PORT_RANGE)],
    },
    {
      name: 'servicePort out of range (0 means unset)',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, servicePort: 65536, tags: {kuma.io/service: backend}}
            - {port: 1235, servicePort: 0, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].servicePort', PORT_RANGE)],
    },
    {
      name: 'address must be an IP (no domain names here)',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, address: backend.local, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].address', 'address has to be valid IP address')],
    },
    {
      name: 'IPv4 with a leading zero is not an IP (Go refuses possible octal)',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, address: 192.168.01.1, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].address', 'address has to be valid IP address')],
    },
    {
      name: 'serviceAddress must be an IP',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 10001, serviceAddress: INVALID, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].serviceAddress', 'serviceAddress has to be valid IP address')],
    },
    {
      name: 'serviceAddress equal to the dataplane address without servicePort',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 10001, serviceAddress: 192.168.0.1, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].serviceAddress', SAME_AS_INBOUND)],
    },
    {
      name: 'serviceAddress equal to the dataplane address with servicePort equal to port',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 10001, servicePort: 10001, serviceAddress: 192.168.0.1, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].serviceAddress', SAME_AS_INBOUND)],
    },
    {
      name: 'serviceAddress equal to the inbound address',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 10001, address: 192.168.0.2, serviceAddress: 192.168.0.2, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].serviceAddress', SAME_AS_INBOUND)],
    },
    {
      name: 'serviceAddress equal to both addresses is reported twice',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 10001, address: 192.168.0.1, serviceAddress: 192.168.0.1, tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].serviceAddress', SAME_AS_INBOUND), at('networking.inbound[0].serviceAddress', SAME_AS_INBOUND)],
    },
    {
      name: 'serviceAddress equal to the address but a different servicePort is fine',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 10001, address: 192.168.0.2, serviceAddress: 192.168.0.2, servicePort: 10002, tags: {kuma.io/service: backend}}`,
      expected: [],
    },
    {
      name: 'tags without kuma.io/service',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, tags: {version: v1}}`,
      expected: [at('networking.inbound[0].tags["kuma.io/service"]', 'tag has to exist')],
    },
    {
      name: 'empty tag value (YAML null)',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - port: 1234
              tags:
                kuma.io/service: backend
                version:`,
      expected: [at('networking.inbound[0].tags["version"]', 'tag value must be non-empty')],
    },
    {
      name: 'tag name and value charsets',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, tags: {kuma.io/service: backend, inv@lidT/gN%me: value, invalidTagValue: inv@lid+t@g}}`,
      expected: [
        at('networking.inbound[0].tags["inv@lidT/gN%me"]', TAG_NAME_CHARS),
        at('networking.inbound[0].tags["invalidTagValue"]', TAG_VALUE_CHARS),
      ],
    },
    {
      name: 'empty tag name',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, tags: {"": x, kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].tags', 'tag name must be non-empty')],
    },
    {
      name: 'unsupported protocol tag',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, tags: {kuma.io/service: backend, kuma.io/protocol: not-yet-supported-protocol}}`,
      expected: [
        at(
          'networking.inbound[0].tags["kuma.io/protocol"]',
          `tag "kuma.io/protocol" has an invalid value "not-yet-supported-protocol". ${HINT}`,
        ),
      ],
    },
    {
      name: 'empty protocol tag',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - port: 1234
              tags:
                kuma.io/service: backend
                kuma.io/protocol:`,
      expected: [
        at('networking.inbound[0].tags["kuma.io/protocol"]', `tag "kuma.io/protocol" has an invalid value "". ${HINT}`),
        at('networking.inbound[0].tags["kuma.io/protocol"]', 'tag value must be non-empty'),
      ],
    },
    {
      name: 'protocols Kuma parses but does not advertise (tls, mysql) are accepted',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, protocol: MySQL, tags: {kuma.io/service: backend, kuma.io/protocol: tls}}`,
      expected: [],
    },
    {
      name: 'unsupported protocol field',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 1234, protocol: "mongo\\t", tags: {kuma.io/service: backend}}`,
      expected: [at('networking.inbound[0].protocol', `has an invalid value "mongo\\t". ${HINT}`)],
    },
    {
      name: 'service probe: zero durations and thresholds',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - port: 8080
              serviceProbe: {interval: 0s, timeout: 0.000s, unhealthyThreshold: 0, healthyThreshold: 0, tcp: {}}
              tags: {kuma.io/service: backend}`,
      expected: [
        at('networking.inbound[0].serviceProbe.interval', 'must have a positive value'),
        at('networking.inbound[0].serviceProbe.timeout', 'must have a positive value'),
        at('networking.inbound[0].serviceProbe.unhealthyThreshold', 'must have a positive value'),
        at('networking.inbound[0].serviceProbe.healthyThreshold', 'must have a positive value'),
      ],
    },
    {
      name: 'service probe: negative durations pass',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - port: 8080
              serviceProbe: {interval: -1s, timeout: -1.5m}
              tags: {kuma.io/service: backend}`,
      expected: [],
    },
    {
      // Kuma's "dataplane with invalid service probe" case: Go's "0" is a zero duration
      name: 'service probe: a Go-style "0" interval and a zero threshold',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - port: 8080
              serviceProbe:
                timeout: 1s
                interval: "0"
                healthyThreshold: 5
                unhealthyThreshold: 0
                tcp: {}
              tags:
                kuma.io/service: backend
                version: "1"
          outbound:
            - port: 3333
              tags:
                kuma.io/service: redis`,
      expected: [
        at('networking.inbound[0].serviceProbe.interval', 'must have a positive value'),
        at('networking.inbound[0].serviceProbe.unhealthyThreshold', 'must have a positive value'),
      ],
    },
    {
      name: 'every inbound rule in order',
      yaml: `
        networking:
          address: 192.168.0.1
          inbound:
            - port: 70000
              servicePort: 70000
              serviceAddress: 192.168.0.1
              address: 10.0.0.300
              protocol: smtp
              serviceProbe: {interval: 0s}
              tags: {kuma.io/protocol: smtp, b: "", a: "x y"}`,
      expected: [
        at('networking.inbound[0].port', PORT_RANGE),
        at('networking.inbound[0].servicePort', PORT_RANGE),
        at('networking.inbound[0].serviceAddress', SAME_AS_INBOUND),
        at('networking.inbound[0].address', 'address has to be valid IP address'),
        at('networking.inbound[0].tags["kuma.io/protocol"]', `tag "kuma.io/protocol" has an invalid value "smtp". ${HINT}`),
        at('networking.inbound[0].tags["a"]', TAG_VALUE_CHARS),
        at('networking.inbound[0].tags["b"]', 'tag value must be non-empty'),
        at('networking.inbound[0].protocol', `has an invalid value "smtp". ${HINT}`),
        at('networking.inbound[0].serviceProbe.interval', 'must have a positive value'),
        at('networking.inbound[0].tags["kuma.io/service"]', 'tag has to exist'),
      ],
    },
  ]);
});

describe('Dataplane validation: service probe durations', () => {
  const probeSpec = (interval: string) => ({
    networking: { address: '192.168.0.1', inbound: [{ port: 8080, serviceProbe: { interval }, tags: { 'kuma.io/service': 'backend' } }] },
  });

  it('stores Go-style durations in protobuf form', () => {
    const { spec, violations } = parseSpec(`
      networking:
        address: 192.168.0.1
        inbound:
          - port: 8080
            serviceProbe: {interval: 1m30s, timeout: 300ms}
            tags: {kuma.io/service: backend}`);
    assert.deepEqual(violations, []);
    const inbound = (spec.networking as { inbound: { serviceProbe: unknown }[] }).inbound[0];
    assert.deepEqual(inbound.serviceProbe, { interval: '90s', timeout: '0.300s' });
  });

  it('rejects out-of-range durations while parsing', () => {
    const { violations } = parseSpec(`
      networking:
        address: 192.168.0.1
        inbound:
          - port: 8080
            serviceProbe: {timeout: 315576000001s}
            tags: {kuma.io/service: backend}`);
    assert.deepEqual(violations.map((x) => x.field), ['networking.inbound[0].serviceProbe.timeout']);
  });

  for (const interval of ['315576000001s', '-315576000001s', '1m', 'soon']) {
    it(`the rule reports ${JSON.stringify(interval)} as invalid when it reaches the validator`, () => {
      assert.deepEqual(validateDataplane(probeSpec(interval), ctx), [
        at('networking.inbound[0].serviceProbe.interval', 'must have a valid value'),
      ]);
    });
  }

  for (const [interval, expected] of [
    ['0s', [at('networking.inbound[0].serviceProbe.interval', 'must have a positive value')]],
    ['-0.000s', [at('networking.inbound[0].serviceProbe.interval', 'must have a positive value')]],
    ['0.000000001s', []],
    ['315576000000.999999999s', []],
  ] as const) {
    it(`the rule accepts or rejects ${interval} as Kuma does`, () => {
      assert.deepEqual(validateDataplane(probeSpec(interval), ctx), expected);
    });
  }
});

describe('Dataplane validation: outbounds', () => {
  runCases([
    {
      name: 'ports 0 and 65536',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {tags: {kuma.io/service: redis}}
            - {port: 65536, tags: {kuma.io/service: elastic}}`,
      expected: [at('networking.outbound[0].port', PORT_RANGE), at('networking.outbound[1].port', PORT_RANGE)],
    },
    {
      name: 'address must be an IP',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, address: invalid, tags: {kuma.io/service: elastic}}`,
      expected: [at('networking.outbound[0].address', 'address has to be valid IP address')],
    },
    {
      name: 'neither tags nor backendRef',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - port: 3333`,
      expected: [at('networking.outbound[0].tags', MISSING_SERVICE)],
    },
    {
      name: 'tags without kuma.io/service, with charset rules first',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, tags: {version: v/1}}`,
      expected: [at('networking.outbound[0].tags["version"]', TAG_VALUE_CHARS), at('networking.outbound[0].tags', MISSING_SERVICE)],
    },
    {
      name: 'outbound tags accept any protocol value',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, tags: {kuma.io/service: redis, kuma.io/protocol: smtp}}`,
      expected: [],
    },
    {
      name: 'empty backendRef',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, backendRef: {}}`,
      expected: [
        at('networking.outbound[0].backendRef.kind', KINDS),
        at('networking.outbound[0].backendRef', "either 'name' or 'labels' should be specified"),
        at('networking.outbound[0].backendRef.port', PORT_RANGE),
      ],
    },
    {
      name: 'unknown backendRef kind',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, backendRef: {kind: Service, name: x, port: 80}}`,
      expected: [at('networking.outbound[0].backendRef.kind', KINDS)],
    },
    {
      name: 'backendRef port out of range',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, backendRef: {kind: MeshMultiZoneService, name: x, port: 65536}}`,
      expected: [at('networking.outbound[0].backendRef.port', PORT_RANGE)],
    },
    {
      name: 'backendRef together with tags',
      yaml: `
        networking:
          address: 192.168.0.1
          outbound:
            - {port: 3333, tags: {kuma.io/service: xyz}, backendRef: {kind: MeshService, name: xyz, port: 8080}}
            - {port: 3334, tags: {service: xyz}, backendRef: {kind: MeshService, name: xyz}}`,
      expected: [
        at('networking.outbound[0].backendRef', 'both backendRef and tags/service cannot be defined'),
        at('networking.outbound[1].backendRef.port', PORT_RANGE),
        at('networking.outbound[1].backendRef', 'both backendRef and tags/service cannot be defined'),
      ],
    },
  ]);
});

describe('Dataplane validation: reachable backends', () => {
  const refs = 'networking.transparentProxing.reachableBackends.refs';
  runCases([
    {
      name: 'every rule, under the upstream path spelling',
      yaml: `
        networking:
          address: 192.168.0.1
          transparentProxying:
            reachableBackends:
              refs:
                - {kind: Something, name: first, labels: {kuma.io/test: test}}
                - {kind: MeshService, name: second, namespace: ns, labels: {kuma.io/test: test}}
                - {kind: MeshService, namespace: ns, labels: {kuma.io/test: test}}
                - {kind: MeshService, name: first$-.kuma}
                - {kind: MeshService}
                - {kind: MeshService, namespace: xyz}
                - {kind: MeshService, name: ${'a'.repeat(254)}}`,
      expected: [
        at(`${refs}[0].kind`, KINDS),
        at(`${refs}[0].labels`, 'labels cannot be defined when name is specified'),
        at(`${refs}[1].labels`, 'labels cannot be defined when name is specified'),
        at(`${refs}[2].name`, 'name is required, when namespace is defined'),
        at(`${refs}[2].labels`, 'labels cannot be defined when name is specified'),
        at(`${refs}[3].name`, RFC1123),
        at(`${refs}[4].name`, 'name or labels are required'),
        at(`${refs}[5].name`, 'name is required, when namespace is defined'),
        at(`${refs}[6].name`, 'value length must less or equal 253'),
      ],
    },
  ]);
});

describe('Dataplane validation: probes', () => {
  runCases([
    {
      name: 'ports and paths',
      yaml: `
        networking:
          address: 192.168.0.1
        probes:
          port: 0
          endpoints:
            - {inboundPort: 8088, inboundPath: /healthz, path: /8080/healthz}
            - {inboundPort: 99999999, inboundPath: healthz, path: 8080/healthz}
            - {inboundPort: 1000}`,
      expected: [
        at('probes.port', PORT_RANGE),
        at('probes.endpoints[1].inboundPort', PORT_RANGE),
        at('probes.endpoints[1].inboundPath', 'should be a valid URL Path'),
        at('probes.endpoints[1].path', 'should be a valid URL Path'),
        at('probes.endpoints[2].inboundPath', 'should be a valid URL Path'),
        at('probes.endpoints[2].path', 'should be a valid URL Path'),
      ],
    },
  ]);

  // What Go's url.ParseRequestURI accepts.
  const paths: [string, boolean][] = [
    ['/healthz', true],
    ['/a%20b?x=1&y', true],
    ['/only?', true],
    ['*', true],
    ['//double/slash', true],
    ['http://example.com:8080/ready', true],
    ['http://user:p%40ss@10.0.0.1/x', true],
    ['http://[fe80::1%25eth0]:80/x', true],
    ['mailto:ops', true],
    ['custom://a:b:1/x', true],
    ['', false],
    ['healthz', false],
    ['/a%zz', false],
    ['/a%2', false],
    ['/tab\there', false],
    [':8080/x', false],
    ['http://example.com:http/x', false],
    ['http://a:1:2/x', false],
    ['http://[1.2.3.4]/x', false],
    ['http://x[::1]/x', false],
    ['http://[::1/x', false],
    ['http://exa mple.com/x', false],
    ['http://%41.com/x', false],
    ['http://us^er@host/x', false],
  ];
  for (const [path, valid] of paths) {
    it(`path ${JSON.stringify(path)} is ${valid ? 'valid' : 'invalid'}`, () => {
      const spec = { networking: { address: '10.0.0.1' }, probes: { port: 9000, endpoints: [{ inboundPort: 8080, inboundPath: '/h', path }] } };
      const expected = valid ? [] : [at('probes.endpoints[0].path', 'should be a valid URL Path')];
      assert.deepEqual(validateDataplane(spec, ctx), expected);
    });
  }
});

describe('Dataplane validation: metrics', () => {
  const sidecarWithMetrics = (metrics: string) => `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 8080, tags: {kuma.io/service: backend}}
        metrics: ${metrics}`;
  runCases([
    {
      name: 'unknown backend type',
      yaml: `
        networking:
          address: 192.168.0.1
        metrics: {type: custom-backend}`,
      expected: [at('metrics.type', 'unknown backend type. Available backends: "prometheus"')],
    },
    {
      name: 'a metrics block without type',
      yaml: `
        networking:
          address: 192.168.0.1
        metrics: {}`,
      expected: [at('metrics.type', 'unknown backend type. Available backends: "prometheus"')],
    },
    {
      name: 'prometheus with distinct aggregate entries (Kuma valid case)',
      yaml: sidecarWithMetrics('{type: prometheus, conf: {aggregate: [{name: app, port: 123, path: /stats}, {name: sidecar, port: 999, path: /metrics}]}}'),
      expected: [],
    },
    {
      name: 'prometheus with duplicate aggregate names (Kuma case)',
      yaml: sidecarWithMetrics(`
          type: prometheus
          conf:
            aggregate:
            - {name: app, port: 123, path: /stats}
            - {name: app, port: 999, path: /metrics}
            - {name: duplicate-app, port: 12366, path: /duplicate}
            - {name: duplicate-app, port: 12345, path: /other}`),
      expected: [
        at('metrics.conf.aggregate[1].name', 'duplicate entry: app, values have to be unique'),
        at('metrics.conf.aggregate[3].name', 'duplicate entry: duplicate-app, values have to be unique'),
      ],
    },
    {
      name: 'prometheus conf that does not decode',
      yaml: sidecarWithMetrics('{type: prometheus, conf: {port: -1}}'),
      expected: [at('metrics.conf', 'could not parse config: json: cannot unmarshal number -1 into Go value of type uint32')],
    },
    {
      name: 'prometheus skipMTLS contradicting tls',
      yaml: sidecarWithMetrics('{type: prometheus, conf: {skipMTLS: true, tls: {mode: providedTLS}}}'),
      expected: [at('metrics.conf', 'skipMTLS and tls configuration cannot be defined together')],
    },
    {
      name: 'prometheus filterRegex that Go cannot compile',
      yaml: sidecarWithMetrics('{type: prometheus, conf: {envoy: {filterRegex: "a(b"}}}'),
      expected: [at('metrics.conf.envoy.filterRegex', "provided regexp isn't correct: error parsing regexp: missing closing ): `a(b`")],
    },
    {
      name: 'gateways skip metrics, conf included',
      yaml: `
        networking:
          address: 192.168.0.1
          gateway: {tags: {kuma.io/service: kong}}
        metrics: {type: prometheus, conf: {envoy: {filterRegex: "a(b"}, port: x}}`,
      expected: [],
    },
  ]);
});

describe('Dataplane validation: listeners', () => {
  const base = `
        networking:
          address: 192.168.0.1
          inbound:
            - {port: 8080, name: http, tags: {kuma.io/service: backend}}
            - {port: 9090, tags: {kuma.io/service: backend}}
          listeners:`;
  runCases([
    {
      name: 'type, address and port',
      yaml: `${base}
            - {port: 0, name: a}
            - {type: ZoneIngress, address: not-valid!, port: 65536}
            - {type: ZoneEgress, address: 0.0.0.0, port: 10003}`,
      expected: [
        at('networking.listeners[0].type', 'type must be ZoneIngress or ZoneEgress'),
        at('networking.listeners[0].address', "address can't be empty"),
        at('networking.listeners[0].port', PORT_RANGE),
        at('networking.listeners[1].address', 'address has to be valid IP address or domain name'),
        at('networking.listeners[1].port', PORT_RANGE),
        at('networking.listeners[2].address', 'must not be 0.0.0.0 or ::'),
      ],
    },
    {
      name: "names collide with inbound names, inbound ports as section names, and each other",
      yaml: `${base}
            - {type: ZoneIngress, address: 192.168.0.1, port: 10001, name: http}
            - {type: ZoneIngress, address: 192.168.0.1, port: 10002, name: "9090"}
            - {type: ZoneIngress, address: 192.168.0.1, port: 10003, name: zi}
            - {type: ZoneEgress, address: 192.168.0.1, port: 10004, name: zi}`,
      expected: [
        at('networking.listeners[0].name', 'name "http" must be unique across inbounds and listeners'),
        at('networking.listeners[1].name', 'name "9090" must be unique across inbounds and listeners'),
        at('networking.listeners[3].name', 'name "zi" must be unique across inbounds and listeners'),
      ],
    },
    {
      name: 'shared address:port',
      yaml: `${base}
            - {type: ZoneIngress, address: 192.168.0.1, port: 10001}
            - {type: ZoneIngress, address: 192.168.0.1, port: 10001}
            - {type: ZoneEgress, address: 192.168.0.1, port: 10001}`,
      expected: [
        at('networking.listeners[1]', 'address:port 192.168.0.1:10001 is already used by another listener'),
        at('networking.listeners[2]', 'address:port 192.168.0.1:10001 is used by listeners of different types'),
      ],
    },
    {
      name: 'collision with an inbound listener (inbound address defaults to the dataplane address)',
      yaml: `${base}
            - {type: ZoneIngress, address: 192.168.0.1, port: 8080}`,
      expected: [at('networking.listeners[0]', 'address:port 192.168.0.1:8080 collides with an inbound listener')],
    },
  ]);
});

describe('Dataplane validation: several violations at once', () => {
  runCases([
    {
      name: 'admin, address, inbound, outbound, reachable backends, probes, metrics and listeners in Kuma order',
      yaml: `
        networking:
          address: 0.0.0.0
          admin: {port: 3333}
          inbound:
            - {port: 70000, tags: {version: v1}}
          outbound:
            - {port: 3333, tags: {kuma.io/service: redis}}
            - {port: 3334, backendRef: {kind: MeshService}}
          transparentProxying:
            reachableBackends: {refs: [{kind: Nope, name: ok}]}
          listeners:
            - {type: ZoneIngress, address: 10.0.0.1}
        probes: {port: 70000}
        metrics: {type: statsd}`,
      expected: [
        at('networking.admin.port', 'must differ from outbound'),
        at('networking.address', 'must not be 0.0.0.0 or ::'),
        at('networking.inbound[0].port', PORT_RANGE),
        at('networking.inbound[0].tags["kuma.io/service"]', 'tag has to exist'),
        at('networking.outbound[1].backendRef', "either 'name' or 'labels' should be specified"),
        at('networking.outbound[1].backendRef.port', PORT_RANGE),
        at('networking.transparentProxing.reachableBackends.refs[0].kind', KINDS),
        at('probes.port', PORT_RANGE),
        at('metrics.type', 'unknown backend type. Available backends: "prometheus"'),
        at('networking.listeners[0].port', PORT_RANGE),
      ],
    },
  ]);
});

describe('Dataplane schema', () => {
  it('accepts the compatibility document examples, which then validate cleanly', () => {
    const docs = parseAllDocuments(
      dedent(`
        # Universal delegated gateway (Kong/NGINX/Contour next to kuma-dp)
        type: Dataplane
        mesh: default
        name: kong-1
        networking:
          address: 10.0.0.10
          gateway:
            type: DELEGATED
            tags: {kuma.io/service: kong}
          outbound:
            - port: 33033
              tags: {kuma.io/service: backend}
        ---
        # ordinary sidecar with transparent proxy
        type: Dataplane
        mesh: default
        name: backend-1
        networking:
          address: 10.0.0.11
          inbound:
            - port: 8080            # without TP: Envoy binds address:port and forwards to serviceAddress:servicePort
              tags: {kuma.io/service: backend, kuma.io/protocol: http, version: v1}
          transparentProxying: {redirectPortInbound: 15006, redirectPortOutbound: 15001, ipFamilyMode: IPv4}`),
    );
    assert.equal(docs.length, 2);
    const [gateway, sidecar] = docs.map((d) => parseDoc(d.toJS()));
    for (const parsed of [gateway, sidecar]) {
      assert.deepEqual(parsed.violations, []);
      assert.deepEqual(validateDataplane(parsed.spec, ctx), []);
    }
    assert.deepEqual(gateway.spec, {
      networking: {
        address: '10.0.0.10',
        gateway: { tags: { 'kuma.io/service': 'kong' } },
        outbound: [{ port: 33033, tags: { 'kuma.io/service': 'backend' } }],
      },
    });
    assert.equal(isDelegatedGateway(gateway.spec), true);
    assert.equal(isDelegatedGateway(sidecar.spec), false);
  });

  it('reports unknown fields and wrong types by path', () => {
    const { violations } = parseSpec(`
      networking:
        address: 10.0.0.1
        bogus: 1
        inbound:
          - {port: abc, tags: {kuma.io/service: [x]}}
        gateway: {type: SIDEWAYS}
      probes: {endpoints: {}}
      extra: true`);
    assert.deepEqual(
      violations.map((v) => v.field),
      [
        'networking.bogus',
        'networking.inbound[0].port',
        'networking.inbound[0].tags["kuma.io/service"]',
        'networking.gateway.type',
        'probes.endpoints',
        'extra',
      ],
    );
    assert.match(violations[0].message, /unknown field "bogus"/);
  });

  for (const [given, expected] of [
    ['DELEGATED', undefined],
    ['0', undefined],
    ['BUILTIN', 'BUILTIN'],
    ['1', 'BUILTIN'],
  ] as const) {
    it(`normalises gateway type ${given} to ${expected ?? 'nothing'}`, () => {
      const { spec, violations } = parseSpec(`
        networking:
          address: 10.0.0.1
          gateway: {type: ${given}}`);
      assert.deepEqual(violations, []);
      const gateway = (spec.networking as { gateway: Record<string, unknown> }).gateway;
      assert.deepEqual(gateway, expected === undefined ? {} : { type: expected });
      assert.equal(isBuiltinGateway(spec), expected === 'BUILTIN');
    });
  }

  it('accepts proto field names and keeps zero-valued wrappers', () => {
    const { spec, violations } = parseSpec(`
      networking:
        address: 10.0.0.1
        inbound:
          - port: 8080
            service_port: 0
            service_probe: {unhealthy_threshold: 0, healthy_threshold: 2}
            state: Ignored
        transparent_proxying:
          redirect_port_inbound: 15006
          ip_family_mode: IPv6
          direct_access_services: ["*"]
          reachable_backends: {refs: [{kind: MeshService, name: a, port: 0}]}
        listeners: [{type: 2, port: 10002}]`);
    assert.deepEqual(violations, []);
    assert.deepEqual(spec, {
      networking: {
        address: '10.0.0.1',
        inbound: [{ port: 8080, serviceProbe: { unhealthyThreshold: 0, healthyThreshold: 2 }, state: 'Ignored' }],
        transparentProxying: {
          redirectPortInbound: 15006,
          ipFamilyMode: 'IPv6',
          directAccessServices: ['*'],
          reachableBackends: { refs: [{ kind: 'MeshService', name: 'a', port: 0 }] },
        },
        listeners: [{ type: 'ZoneEgress', port: 10002 }],
      },
    });
  });
});

describe('Dataplane helpers', () => {
  const sidecar = {
    networking: {
      address: '10.0.0.1',
      inbound: [{ port: 1, tags: { 'kuma.io/service': 'web', version: 'v1' } }, { port: 2 }, { port: 3, tags: { 'kuma.io/service': 'api' } }],
    },
  };
  const delegated = { networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'kong' } } } };
  const builtin = { networking: { address: '10.0.0.1', gateway: { type: 'BUILTIN' } } };

  it('classifies gateways', () => {
    assert.deepEqual(
      [sidecar, delegated, builtin, { networking: { gateway: {} } }].map((s) => [isGateway(s), isDelegatedGateway(s), isBuiltinGateway(s)]),
      [
        [false, false, false],
        [true, true, false],
        [true, false, true],
        [true, true, false],
      ],
    );
  });

  it('lists tag sets: inbounds first, then the gateway', () => {
    assert.deepEqual(tagSets(sidecar), [{ 'kuma.io/service': 'web', version: 'v1' }, {}, { 'kuma.io/service': 'api' }]);
    assert.deepEqual(tagSets(delegated), [{ 'kuma.io/service': 'kong' }]);
    assert.deepEqual(tagSets(builtin), [{}]);
    assert.deepEqual(tagSets({}), []);
  });

  it('picks the alphabetically first service, else unknown', () => {
    assert.equal(identifyingService(sidecar), 'api');
    assert.equal(identifyingService(delegated), 'kong');
    assert.equal(identifyingService(builtin), 'unknown');
    assert.equal(identifyingService({}), 'unknown');
  });

  it('does not change the spec it reads', () => {
    const copy = structuredClone(sidecar);
    tagSets(sidecar)[0].extra = 'x';
    identifyingService(sidecar);
    assert.deepEqual(sidecar, copy);
  });
});

describe('DataplaneKind', () => {
  it('describes the kind', () => {
    const { schema, validate, ...rest } = DataplaneKind;
    assert.deepEqual(rest, {
      name: 'Dataplane',
      path: 'dataplanes',
      scope: 'Mesh',
      shortName: 'dp',
      singularDisplayName: 'Dataplane',
      pluralDisplayName: 'Dataplanes',
      readOnly: false,
      includeInFederation: false,
      envelope: 'flat',
      cliAliases: ['dataplane', 'dataplanes', 'dp'],
      insightKind: 'DataplaneInsight',
    });
    assert.equal(schema, dataplaneSchema);
    assert.equal(validate, validateDataplane);
  });
});

/** Everything the generators produce, across a spread of proxies, passes the protos' validate.rules. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateEnvoyConfig } from '../../../src/xds/generate/index.js';
import { dataplane, endpointDataplane, mesh, proxyOf } from './fixtures.js';
import { configViolations } from './config-violations.js';


const peers = [
  endpointDataplane('web-1', '192.168.0.1', 8080, { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http', version: 'v1', 'kuma.io/zone': 'zone-1' }),
  endpointDataplane('web-2', 'fd00::2', 8080, { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http', version: 'v2' }),
  endpointDataplane('db-1', '192.168.0.3', 5432, { 'kuma.io/service': 'db', 'kuma.io/protocol': 'tcp', role: 'primary' }),
  endpointDataplane('grpc-1', '192.168.0.4', 9000, { 'kuma.io/service': 'grpc-api', 'kuma.io/protocol': 'grpc' }),
  endpointDataplane('h2-1', '192.168.0.5', 9001, { 'kuma.io/service': 'h2-api', 'kuma.io/protocol': 'http2' }),
];

const outbound = [
  { port: 10001, tags: { 'kuma.io/service': 'web' } },
  { port: 10002, tags: { 'kuma.io/service': 'web', version: 'v2' } },
  { port: 10003, address: '127.0.0.2', tags: { 'kuma.io/service': 'db' } },
  { port: 10004, tags: { 'kuma.io/service': 'grpc-api' } },
  { port: 10005, tags: { 'kuma.io/service': 'h2-api' } },
  { port: 10006, tags: { 'kuma.io/service': 'no-endpoints' } },
];

const cases: [string, ReturnType<typeof dataplane>, Parameters<typeof proxyOf>[1]][] = [
  ['delegated gateway', dataplane('kong', { networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'kong' } }, outbound } }), {}],
  [
    'sidecar with every inbound protocol',
    dataplane('app', {
      networking: {
        address: '10.0.0.2',
        inbound: [
          { port: 8080, tags: { 'kuma.io/service': 'app', 'kuma.io/protocol': 'http' } },
          { port: 8081, servicePort: 18081, tags: { 'kuma.io/service': 'app-tcp', 'kuma.io/protocol': 'tcp' } },
          { port: 8082, serviceAddress: '127.0.0.1', tags: { 'kuma.io/service': 'app-grpc', 'kuma.io/protocol': 'grpc' } },
          { port: 8083, tags: { 'kuma.io/service': 'app-h2', 'kuma.io/protocol': 'http2' } },
        ],
        outbound,
      },
    }),
    {},
  ],
  [
    'IPv6 sidecar with transparent proxying',
    dataplane('v6', {
      networking: {
        address: 'fd00::10',
        inbound: [{ port: 8080, tags: { 'kuma.io/service': 'v6', 'kuma.io/protocol': 'http' } }],
        outbound,
        transparentProxying: { redirectPortInbound: 15006, redirectPortOutbound: 15001, ipFamilyMode: 'DualStack' },
      },
    }),
    { adminAddress: '::' },
  ],
  ['proxyless gRPC client', dataplane('client', { networking: { address: '127.0.0.1' } }), { proxyless: true }],
];

describe('generated resources pass validate.rules', () => {
  for (const [label, dp, meta] of cases) {
    it(label, () => {
      const snapshot = { mesh: mesh('default'), dataplanes: [dp, ...peers] };
      const config = generateEnvoyConfig(snapshot, proxyOf(dp, meta));
      assert.ok(config.listeners.length + config.clusters.length > 0);
      assert.deepEqual(configViolations(config), []);
    });
  }
});

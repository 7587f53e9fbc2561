/**
 * End to end with a real third-party xDS client: @grpc/grpc-js-xds resolves `xds:///backend`
 * through ferry-cp and makes real RPCs to backends registered as Dataplane inbounds.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startCp, type RunningCp } from '../helpers/processes.js';
import { echoClient, echoService, say as sayTo } from '../helpers/grpc-echo.js';

async function startBackend(name: string): Promise<{ port: number; stop(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(echoService, {
    say: (call: grpc.ServerUnaryCall<{ echo: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(null, { from: name, echo: call.request.echo }),
  });
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? rej(err) : res(p))),
  );
  return { port, stop: () => new Promise((res) => server.tryShutdown(() => res())) };
}

async function put(cp: RunningCp, path: string, body: unknown): Promise<void> {
  const res = await fetch(cp.apiUrl + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(res.status === 200 || res.status === 201, await res.text());
}

function backendDataplane(name: string, port: number) {
  return {
    type: 'Dataplane',
    mesh: 'default',
    name,
    networking: { address: '127.0.0.1', inbound: [{ port, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'grpc' } }] },
  };
}

describe('proxyless gRPC through ferry-cp (grpc-js-xds)', () => {
  let cp: RunningCp;
  const backends: { port: number; stop(): Promise<void> }[] = [];
  let client: grpc.Client;
  let say: (echo: string) => Promise<{ from: string; echo: string }>;

  before(async () => {
    cp = await startCp({ FERRY_DP_SERVER_TLS_ENABLED: 'false' });
    backends.push(await startBackend('backend-1'));
    await put(cp, '/meshes/default/dataplanes/backend-1', backendDataplane('backend-1', backends[0].port));

    const dpPort = new URL(cp.dpUrl).port;
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [{ server_uri: `127.0.0.1:${dpPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: {
        id: 'default.grpc-client',
        locality: {},
        metadata: {
          'dataplane.resource': JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'grpc-client', networking: { address: '127.0.0.1' } }),
        },
      },
      client_default_listener_resource_name_template: 'xds:///%s',
    });
    const xds = await import('@grpc/grpc-js-xds');
    xds.register();
    client = echoClient('xds:///backend', grpc.credentials.createInsecure());
    say = async (echo) => {
      const r = await sayTo(client, echo, 5000);
      return { from: r.from, echo: r.echo ?? '' };
    };
  });

  after(async () => {
    client?.close();
    for (const b of backends) await b.stop();
    await cp?.stop();
  });

  async function fromsWithin(ms: number, want: (froms: Set<string>) => boolean): Promise<Set<string>> {
    const deadline = Date.now() + ms;
    let froms = new Set<string>();
    while (Date.now() < deadline) {
      froms = new Set<string>();
      for (let i = 0; i < 8; i++) froms.add((await say(`ping-${i}`)).from);
      if (want(froms)) return froms;
      await new Promise((r) => setTimeout(r, 100));
    }
    return froms;
  }

  it('makes a real RPC through the configuration Ferry served', async () => {
    const reply = await say('hello');
    assert.deepEqual(reply, { from: 'backend-1', echo: 'hello' });
  });

  it('the client registered itself and shows as Online', async () => {
    const res = await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/grpc-client/_overview`)).json();
    const subs = res.dataplaneInsight?.subscriptions ?? [];
    assert.ok(subs.length >= 1);
    assert.ok(subs[subs.length - 1].connectTime && !subs[subs.length - 1].disconnectTime);
  });

  it('picks up a second backend without a client restart', async () => {
    backends.push(await startBackend('backend-2'));
    await put(cp, '/meshes/default/dataplanes/backend-2', backendDataplane('backend-2', backends[1].port));
    const froms = await fromsWithin(5000, (f) => f.has('backend-2'));
    assert.ok(froms.has('backend-2'), `only saw ${[...froms]}`);
  });

  it('drops a removed backend', async () => {
    const res = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-1`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    const froms = await fromsWithin(5000, (f) => f.size === 1 && f.has('backend-2'));
    assert.deepEqual([...froms], ['backend-2']);
  });

  it('serves the same configuration through the config dump endpoint', async () => {
    const dump = await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/grpc-client/xds`)).json();
    const listeners = dump.configs[0].dynamicListeners.map((l: { name: string }) => l.name);
    assert.deepEqual(listeners, ['xds:///backend']);
    const cla = dump.configs[2].dynamicEndpointConfigs[0].endpointConfig;
    const ports = cla.endpoints.flatMap((l: { lbEndpoints: { endpoint: { address: { socketAddress: { portValue: number } } } }[] }) =>
      l.lbEndpoints.map((e) => e.endpoint.address.socketAddress.portValue),
    );
    assert.deepEqual(ports, [backends[1].port]);
  });
});

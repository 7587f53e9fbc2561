/**
 * Issue "done means" for service addressing: a gateway with transparent proxying and no
 * outbounds gets `outbound:<VIP>:80` for backend (VIP in 240.0.0.0/4), the passthrough and
 * the 15001 virtual listener; ferry-dp's DNS answers `backend.mesh` with that VIP, live.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { fromBinary } from '@bufbuild/protobuf';
import { pino } from 'pino';
import { ListenerSchema } from '../../gen/envoy/config/listener/v3/listener_pb.js';
import { TYPE_URL } from '../../src/xds/resources.js';
import { startDnsServer } from '../../src/dp/dns/server.js';
import { subscribeDnsTable } from '../../src/dp/dns/table-subscription.js';
import { openSotw } from '../helpers/xds-clients.js';
import { freePort, putResource, runCtl, startCp, type RunningCp } from '../helpers/processes.js';

const silent = pino({ level: 'silent' });

function inCidr240(ip: string): boolean {
  const first = Number(ip.split('.')[0]);
  return first >= 240 && first <= 255;
}

describe('transparent-proxy gateway with .mesh names', () => {
  let cp: RunningCp;
  before(async () => {
    cp = await startCp({ FERRY_DP_SERVER_TLS_ENABLED: 'false' });
    await putResource(cp, '/meshes/default/dataplanes/backend-1', {
      type: 'Dataplane',
      mesh: 'default',
      name: 'backend-1',
      networking: { address: '192.168.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] },
    });
    await putResource(cp, '/meshes/default/dataplanes/kong-01', {
      type: 'Dataplane',
      mesh: 'default',
      name: 'kong-01',
      networking: {
        address: '10.0.0.1',
        gateway: { tags: { 'kuma.io/service': 'kong' } },
        transparentProxying: { redirectPortInbound: 15006, redirectPortOutbound: 15001, ipFamilyMode: 'IPv4' },
      },
    });
  });
  after(() => cp.stop());

  let vip = '';

  it('gets a VIP outbound for backend, the passthrough and the virtual listener', async () => {
    const client = openSotw(cp.dpUrl, 'default.kong-01');
    try {
      let names: string[] = [];
      let listeners: ReturnType<typeof fromBinary<typeof ListenerSchema>>[] = [];
      for (let attempt = 0; attempt < 20; attempt++) {
        client.request({ typeUrl: TYPE_URL.Listener });
        const lds = await client.next(5000);
        client.ack(lds);
        listeners = lds.resources.map((r) => fromBinary(ListenerSchema, r.value));
        names = listeners.map((l) => l.name);
        if (names.some((n) => /^outbound:24\d\.\d+\.\d+\.\d+:80$/.test(n))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const vipListener = names.find((n) => /^outbound:\d+\.\d+\.\d+\.\d+:80$/.test(n) && !n.startsWith('outbound:127.'));
      assert.ok(vipListener, `listeners: ${names.join(', ')}`);
      vip = vipListener.split(':')[1];
      assert.ok(inCidr240(vip), vip);
      assert.ok(names.includes(`outbound:${vip}:8080`), 'and the real port of backend');
      assert.ok(names.includes('outbound:passthrough:ipv4'), names.join(', '));
      assert.ok(!names.some((n) => n.startsWith('inbound:1')), 'no inbound listeners');
      // the virtual outbound listener: bound to 15001, dispatching by original destination
      const virtual = listeners.find((l) => l.name === 'outbound:passthrough:ipv4')!;
      const address = virtual.address?.address;
      assert.equal(address?.case === 'socketAddress' ? address.value.portSpecifier.value : undefined, 15001);
      assert.equal(virtual.useOriginalDst, true);
    } finally {
      await client.close();
    }
  });

  it('the service insight shows backend.mesh, and ferryctl inspect services lists it', async () => {
    let backend: { addressPort?: string; dataplanes?: { total?: number } } = {};
    for (let i = 0; i < 60 && !backend.addressPort; i++) {
      const res = await fetch(`${cp.apiUrl}/meshes/default/service-insights/backend`);
      if (res.status === 200) backend = await res.json();
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(backend.addressPort, 'backend.mesh:80');
    assert.equal(backend.dataplanes?.total, 1);
    const table = await runCtl(['--api-server', cp.apiUrl, 'inspect', 'services']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^SERVICE\s+TYPE\s+ADDRESS\s+STATUS\s+DATAPLANES/);
    assert.match(table.stdout, /backend\s+internal\s+backend\.mesh:80\s+offline\s+0\/1/);
    assert.match(table.stdout, /kong\s+gateway_delegated\s+-/);
  });

  it("ferry-dp's DNS answers backend.mesh with that VIP, and follows changes", async () => {
    const port = await freePort();
    const server = await startDnsServer({ host: '127.0.0.1', port, ttl: 30, ipFamilyMode: 'IPv4', upstreams: [], logger: silent });
    const sub = subscribeDnsTable({ cpAddress: cp.dpUrl, mesh: 'default', name: 'kong-01', onTable: (records) => server.setTable(records), logger: silent });
    try {
      const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
      resolver.setServers([`127.0.0.1:${port}`]);
      let answer: string[] = [];
      for (let i = 0; i < 50 && answer.length === 0; i++) {
        answer = await resolver.resolve4('backend.mesh').catch(() => []);
        if (answer.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(answer, [vip]);
      await assert.rejects(resolver.resolve4('nothing-here.mesh'), /ENOTFOUND/);

      await putResource(cp, '/meshes/default/dataplanes/web-1', {
        type: 'Dataplane',
        mesh: 'default',
        name: 'web-1',
        networking: { address: '192.168.0.2', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] },
      });
      let web: string[] = [];
      for (let i = 0; i < 50 && web.length === 0; i++) {
        web = await resolver.resolve4('web.mesh').catch(() => []);
        if (web.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(web.length, 1);
      assert.ok(inCidr240(web[0]));
      assert.notEqual(web[0], vip);
    } finally {
      sub.close();
      await server.close();
    }
  });
});

